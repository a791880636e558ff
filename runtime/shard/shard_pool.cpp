#include "shard/shard_pool.hpp"

#include <algorithm>

#include <switchyard/errors.hpp>

namespace switchyard::detail {

namespace {

std::exception_ptr lost(std::string_view task, const std::string& where, const std::string& how) {
  try {
    return std::make_exception_ptr(
        ShardLost("switchyard: a '" + std::string(task) + "' call was lost: " + where + " " + how));
  } catch (...) {
    return std::current_exception();
  }
}

// A slot whose starts failed this many times in a row (about 1.3 s of backoff) with no shard
// serving fails the calls waiting for it.
constexpr unsigned kFailedStartsToGiveUp = 8;

}  // namespace

ShardPool::ShardPool(std::unique_ptr<Transport> transport, std::size_t inflight)
    : transport_(std::move(transport)),
      inflight_(std::max<std::size_t>(1, inflight)),
      capacity_(transport_->slots() * inflight_),
      refill_(std::max<std::size_t>(1, capacity_ / 4)),
      shards_(transport_->slots()) {
  transport_->open(*this);
}

ShardPool::~ShardPool() {
  stop();
}

std::chrono::milliseconds ShardPool::backoff(unsigned failures) noexcept {
  if (failures <= 1) return std::chrono::milliseconds{0};
  const unsigned doublings = std::min(failures - 2, 7u);
  return std::min(std::chrono::milliseconds{10 << doublings}, std::chrono::milliseconds{1000});
}

void ShardPool::submit(ShardJob* job) noexcept {
  std::unique_lock lk(mutex_);
  if (!started_) {
    started_ = true;
    for (std::size_t i = 0; i < shards_.size(); ++i) transport_->start(i, {});
  }
  wait_for_room(
      lk, [&] { return closed_ || (!restartable_ && live() == 0) || admitted() < capacity_; });
  std::exception_ptr error;
  if (closed_) {
    error = close_error_;
  } else if (!restartable_ && live() == 0) {
    error = lost(job->task, "the shard pool", unrestartable_);
  }
  if (error) {
    lk.unlock();
    job->failed(std::move(error));
    return;
  }
  job->id_ = next_id_++;
  set_frame_id(job->frame, job->id_);
  queue_.push_back(job);
  dispatch();
}

template <class Ready>
void ShardPool::wait_for_room(std::unique_lock<std::mutex>& lk, Ready ready) {
  // A newcomer queues behind submitters already waiting, or it could take every slot that
  // frees before the room they wait for adds up.
  const bool behind = waiting_tasks_ + waiting_threads_ > 0;
  if (!behind && ready()) return;
  auto wait = [&](auto& cv, std::size_t& waiting) {
    ++waiting;
    if (behind) cv.wait(lk);
    cv.wait(lk, ready);
    --waiting;
  };
  if (waits_as_thread()) {
    wait(room_for_threads_, waiting_threads_);
  } else {
    wait(room_for_tasks_, waiting_tasks_);
  }
}

void ShardPool::wake(Waiting waiting) noexcept {
  if (waiting.threads) room_for_threads_.notify_all();
  if (waiting.tasks) room_for_tasks_.notify_all();
}

std::size_t ShardPool::live() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(shards_.begin(), shards_.end(), [](const Shard& s) { return s.live; }));
}

std::size_t ShardPool::on_the_wire() const noexcept {
  std::size_t n = 0;
  for (const Shard& s : shards_) n += s.calls.size();
  return n;
}

void ShardPool::fail_queue(std::vector<std::pair<ShardJob*, std::exception_ptr>>& failed,
                           const std::string& where, const std::string& how) {
  for (ShardJob* job : queue_) failed.emplace_back(job, lost(job->task, where, how));
  queue_.clear();
}

std::size_t ShardPool::depth() const noexcept {
  constexpr std::chrono::nanoseconds kQueuedWork = std::chrono::milliseconds(1);
  const std::size_t fewest = std::min<std::size_t>(2, inflight_);
  const std::int64_t per_call = call_time_.average().count();
  if (per_call <= 0) return fewest;  // nothing answered yet: the calls may be long
  return std::clamp<std::size_t>(static_cast<std::size_t>(kQueuedWork.count() / per_call), fewest,
                                 inflight_);
}

void ShardPool::dispatch() noexcept {
  const std::size_t ahead = depth();
  while (!queue_.empty()) {
    Shard* best = nullptr;
    std::size_t index = 0;
    for (std::size_t i = 0; i < shards_.size(); ++i) {
      Shard& s = shards_[i];
      if (!s.live || s.calls.size() >= ahead) continue;
      if (best == nullptr || s.calls.size() < best->calls.size()) {
        best = &s;
        index = i;
      }
    }
    if (best == nullptr) break;
    ShardJob* job = queue_.front();
    try {
      best->calls.emplace(job->id_, job);
    } catch (const std::bad_alloc&) {
      break;  // stays queued; the next answer dispatches again
    }
    queue_.pop_front();
    if (!transport_->send(index, best->link, job->frame)) {
      // The link is gone (its on_down follows): the call never left, so it waits for another.
      best->calls.erase(job->id_);
      queue_.push_front(job);
      best->live = false;
    }
  }
  const auto per_call = call_time_.average();  // zero: nothing answered yet, the calls may be long
  transport_->expect_answers(on_the_wire() > 0 && per_call.count() > 0 && per_call < kPollWindow);
}

void ShardPool::on_up(std::size_t shard, std::uint64_t link, std::string who) noexcept {
  std::lock_guard lk(mutex_);
  Shard& s = shards_[shard];
  s.live = true;
  s.link = link;
  s.who = std::move(who);
  dispatch();
}

Verdict ShardPool::on_frame(std::size_t shard, std::uint64_t link, Frame&& frame) noexcept {
  std::unique_lock lk(mutex_);
  Shard& s = shards_[shard];
  if (s.link != link) return Verdict::taken;  // a shard already given up for lost
  auto it = s.calls.find(frame.id);
  if (it == s.calls.end()) {
    return closed_ ? Verdict::taken : Verdict::unasked;  // after close(), calls were failed
  }
  ShardJob* job = it->second;
  s.calls.erase(it);
  s.failures = 0;
  ++answered_;
  call_time_.add(frame.run_ns);
  dispatch();
  // Submitters wait until a quarter of the pool is free, then all go: one wake-up per
  // batch of calls instead of one per call, which on a busy machine takes a core from a
  // shard each time.
  const bool refilled = admitted() + refill_ <= capacity_;
  const Waiting waiters = refilled ? waiting() : Waiting{};
  lk.unlock();
  wake(waiters);
  job->shard_ = shard;
  return job->answered(std::move(frame)) ? Verdict::taken : Verdict::malformed;
}

void ShardPool::on_down(std::size_t shard, std::uint64_t link, std::string how,
                        bool restartable) noexcept {
  std::vector<std::pair<ShardJob*, std::exception_ptr>> failed;
  Waiting waiters;
  {
    std::lock_guard lk(mutex_);
    Shard& s = shards_[shard];
    const std::string where =
        "shard " + std::to_string(shard) + (s.who.empty() ? "" : " (" + s.who + ")");
    if (link != 0 && s.link == link) {
      s.live = false;
      s.link = 0;  // whatever still arrives on it is dropped
    }
    for (auto& [id, job] : s.calls) {
      if (job->idempotent && !job->retried_ && !closed_) {
        job->retried_ = true;
        queue_.push_front(job);
      } else {
        failed.emplace_back(job, lost(job->task, where, how));
      }
    }
    s.calls.clear();
    s.who.clear();
    ++s.failures;
    if (!restartable && restartable_) {
      restartable_ = false;
      unrestartable_ = "cannot start shards: " + where + " " + how;
    }
    if (restartable_ && !closed_) {
      transport_->start(shard, backoff(s.failures));
      ++restarts_;
    }
    // Starts that keep failing with no shard serving: the queued calls would wait for as long
    // as that lasts. They fail; the slot keeps trying, and a later call may find it up.
    const bool none_live = live() == 0;
    if (link == 0 && none_live && s.failures >= kFailedStartsToGiveUp)
      fail_queue(failed, where, how);
    if (!restartable_ && none_live) fail_queue(failed, "the shard pool", unrestartable_);
    dispatch();
    waiters = waiting();
  }
  wake(waiters);
  for (auto& [job, error] : failed) job->failed(std::move(error));
}

void ShardPool::close(std::exception_ptr error) noexcept {
  std::vector<ShardJob*> failed;
  Waiting waiters;
  {
    std::lock_guard lk(mutex_);
    if (closed_) return;
    closed_ = true;
    close_error_ = error;
    failed.assign(queue_.begin(), queue_.end());
    queue_.clear();
    for (Shard& s : shards_) {
      for (auto& [id, job] : s.calls) failed.push_back(job);
      s.calls.clear();
    }
    waiters = waiting();
  }
  transport_->expect_answers(false);
  wake(waiters);
  for (ShardJob* job : failed) job->failed(error);
}

void ShardPool::stop() noexcept {
  close(std::make_exception_ptr(
      RuntimeStopped("switchyard: the runtime stopped before a shard answered the call")));
  transport_->stop();
}

ShardPool::Load ShardPool::load() const noexcept {
  std::lock_guard lk(mutex_);
  return {live(), shards_.size(), admitted(), answered_, restarts_};
}

}  // namespace switchyard::detail
