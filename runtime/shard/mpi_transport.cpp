// MpiTransport: rank 0's shards are the job's other ranks.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <list>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "shard/frame.hpp"
#include "shard/mpi_job.hpp"
#include "shard/mpi_session.hpp"

namespace switchyard::detail {

namespace {

using Clock = std::chrono::steady_clock;

// Greeting numbers are never reused in the process: a reply to an earlier Runtime's transport
// is never taken for one to this one's.
std::atomic<std::uint64_t> greeting_numbers{0};

// MpiTransport runs one thread that makes every MPI call of rank 0: it says hello to a rank
// to start its slot (the rank answers with its name, and the slot is up on a new link), sends
// the calls queued by send() without blocking (MPI_Isend), and polls for answers (MPI has no
// descriptor to sleep on): continuously while the pool expects answers within kPollWindow,
// else as IdleBackoff paces it.
//
// It also measures what a round trip to a rank costs, for the placement policies: from the
// first round_trip_ns() it pings each rank, one ping at a time, until kPings answers per rank have
// come in while no call of its was outstanding there (a ping queued behind a call would time the
// call), and round_trip_ns() is their median; each rank's first answer is left out (it may
// still have been starting). Greetings are numbered, and a rank echoes the number: what an
// earlier Runtime's transport left on the wire is recognized and dropped.
//
// A rank cannot be restarted: an MPI job without fault tolerance (Open MPI 4) ends when one of
// its processes dies, so a lost rank takes the program with it rather than leaving calls
// unanswered. A rank that sends a malformed frame is taken down and greeted again.
class MpiTransport final : public Transport {
 public:
  explicit MpiTransport(MpiSession& session)
      : session_(session), slots_(static_cast<std::size_t>(session.size() - 1)) {}
  ~MpiTransport() override {
    stop();
    session_.release();
  }

  std::size_t slots() const noexcept override { return slots_.size(); }

  void open(Events& events) override {
    events_ = &events;
    thread_ = std::thread([this] { run(); });
  }

  void start(std::size_t shard, std::chrono::milliseconds delay) override {
    {
      std::lock_guard lk(mutex_);
      starts_.push_back({shard, Clock::now() + delay});
    }
    wake_.notify_one();
  }

  bool send(std::size_t shard, std::uint64_t link, std::string_view frame) override {
    {
      std::lock_guard lk(mutex_);
      if (link == 0 || slots_[shard].link != link) return false;
      outbox_.push_back({shard, std::string(frame)});
    }
    wake_.notify_one();
    return true;
  }

  void expect_answers(bool soon) noexcept override { answers_soon_.store(soon); }

  std::optional<double> round_trip_ns(std::chrono::milliseconds wait) noexcept override {
    std::unique_lock lk(mutex_);
    pings_wanted_ = true;
    wake_.notify_one();
    measured_.wait_for(lk, wait, [this] { return round_trips_.size() >= kPings * slots_.size(); });
    if (round_trips_.empty()) return std::nullopt;
    std::vector<double> sorted = round_trips_;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    return sorted[sorted.size() / 2];
  }

  void stop() noexcept override {
    {
      std::lock_guard lk(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  static constexpr std::size_t kPings = 16;
  // Hello: why a greeting was sent.
  enum class Hello : std::uint8_t { start, ping };
  struct Greeting {
    std::size_t shard;
    Hello why;
    Clock::time_point sent;
    bool clean;  // no call of this transport was outstanding at the rank when it was sent
  };
  struct Slot {
    std::uint64_t link = 0;  // 0 while down or greeted; written by the thread under mutex_
    // The thread's own:
    bool answered = false;        // it has answered a greeting (its first is not timed)
    std::size_t timed = 0;        // the round trips kept
    std::size_t outstanding = 0;  // calls posted on its link, not yet answered
  };
  struct Start {
    std::size_t shard;
    Clock::time_point at;
  };
  struct Outgoing {
    std::size_t shard;
    std::string bytes;
  };
  struct InFlight {
    std::string bytes;  // MPI reads it until the send completes
    MPI_Request request = MPI_REQUEST_NULL;
  };

  int rank_of(std::size_t shard) const noexcept { return static_cast<int>(shard) + 1; }

  void run() noexcept {
    IdleBackoff backoff;
    bool pinging = false;
    for (;;) {
      std::vector<Start> due;
      std::vector<Outgoing> outgoing;
      bool ping = false;
      {
        std::unique_lock lk(mutex_);
        if (stopping_) break;
        take_due(due);
        outgoing.swap(outbox_);
        ping = pings_wanted_ && !std::exchange(pinging, true);
      }
      if (ping) {
        for (std::size_t shard = 0; shard < slots_.size(); ++shard) greet(shard, Hello::ping);
      }
      bool busy = ping || !due.empty() || !outgoing.empty();
      for (const Start& s : due) greet(s.shard, Hello::start);
      for (Outgoing& o : outgoing) {
        ++slots_[o.shard].outstanding;
        post(rank_of(o.shard), kMpiCall, std::move(o.bytes));
      }
      complete_sends();
      while (receive_one()) busy = true;
      if (busy) {
        backoff.busy();
        continue;
      }
      const auto pause = backoff.pause();
      if (answers_soon_.load() || pause.count() == 0) continue;  // an answer may be close
      std::unique_lock lk(mutex_);
      wake_.wait_for(lk, pause, [this] { return stopping_ || !outbox_.empty() || pings_wanted_; });
    }
    // Calls still being sent finish sending: MPI owns their buffers until then. Meanwhile
    // whatever arrives is dropped: a rank blocked sending a large answer would otherwise
    // never take in a large call.
    MPI_Status status;
    while (!in_flight_.empty()) {
      complete_sends();
      session_.try_receive(MPI_ANY_SOURCE, message_, status);
    }
  }

  // take_due() moves the starts whose time has come to `due`. Caller holds mutex_.
  void take_due(std::vector<Start>& due) {
    const auto now = Clock::now();
    for (auto it = starts_.begin(); it != starts_.end();) {
      if (it->at <= now) {
        due.push_back(*it);
        it = starts_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void greet(std::size_t shard, Hello why) noexcept {
    const std::uint64_t number = ++greeting_numbers;
    greetings_[number] = {shard, why, Clock::now(), slots_[shard].outstanding == 0};
    post(rank_of(shard), kMpiHello,
         std::string(reinterpret_cast<const char*>(&number), sizeof number));
  }

  void post(int rank, int tag, std::string bytes) noexcept {
    InFlight& f = in_flight_.emplace_back();
    f.bytes = std::move(bytes);
    MPI_Isend(f.bytes.data(), static_cast<int>(f.bytes.size()), MPI_BYTE, rank, tag,
              session_.comm(), &f.request);
  }

  void complete_sends() noexcept {
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      int done = 0;
      MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
      it = done != 0 ? in_flight_.erase(it) : std::next(it);
    }
  }

  // receive_one() takes one message, if one has come; false if none. An answer too large to
  // be a frame breaks its rank's link; any other message that large is dropped.
  bool receive_one() noexcept {
    MPI_Status status;
    const MpiSession::Receipt receipt = session_.try_receive(MPI_ANY_SOURCE, message_, status);
    if (receipt == MpiSession::Receipt::none) return false;
    const auto shard = static_cast<std::size_t>(status.MPI_SOURCE - 1);
    if (status.MPI_SOURCE < 1 || shard >= slots_.size()) return true;
    if (receipt == MpiSession::Receipt::dropped) {
      if (status.MPI_TAG == kMpiAnswer) {
        try {
          broken(shard, "it sent " + MpiSession::oversize(status));
        } catch (const std::bad_alloc&) {
          broken(shard, {});
        }
      }
    } else if (status.MPI_TAG == kMpiHere) {
      greeted(shard);
    } else if (status.MPI_TAG == kMpiAnswer) {
      answered(shard);
    }
    return true;
  }

  // greeted(): a rank answered a greeting (its number, then its name in message_): a start
  // (the slot is up) or a ping. One this transport did not send is an earlier one's: dropped.
  void greeted(std::size_t shard) noexcept {
    std::uint64_t number = 0;
    if (message_.size() < sizeof number) return;
    std::memcpy(&number, message_.data(), sizeof number);
    const auto found = greetings_.find(number);
    if (found == greetings_.end() || found->second.shard != shard) return;
    const Greeting g = found->second;
    greetings_.erase(found);
    message_.erase(0, sizeof number);
    Slot& slot = slots_[shard];
    if (std::exchange(slot.answered, true) && g.clean && slot.outstanding == 0) {
      const std::chrono::duration<double, std::nano> took = Clock::now() - g.sent;
      ++slot.timed;
      {
        std::lock_guard lk(mutex_);
        round_trips_.push_back(took.count());
      }
      measured_.notify_all();
    }
    if (g.why == Hello::start) {
      up(shard);
    } else if (slot.timed < kPings) {
      greet(shard, Hello::ping);
    }
  }

  void up(std::size_t shard) noexcept {
    const std::uint64_t link = next_link_++;
    {
      std::lock_guard lk(mutex_);  // send() reads it
      slots_[shard].link = link;
    }
    std::string who = "rank " + std::to_string(rank_of(shard)) + " (" + message_ + ")";
    events_->on_up(shard, link, std::move(who));
  }

  // answered(): a rank sent answers (whole frames: one message each). Only this thread
  // writes a slot's link, so it reads it without the lock.
  void answered(std::size_t shard) noexcept {
    Slot& slot = slots_[shard];
    const std::uint64_t link = slot.link;
    if (link == 0) return;  // an answer to a call of an earlier runtime, before the greeting
    std::string problem;
    try {
      FrameReader reader;
      reader.feed(message_.data(), message_.size());
      while (auto frame = reader.next()) {
        if (slot.outstanding > 0) --slot.outstanding;
        if (frame->type == FrameType::goodbye) {
          problem = "it read a malformed frame: " + frame->payload;
          break;
        }
        const std::uint64_t id = frame->id;
        const Verdict verdict = events_->on_frame(shard, link, std::move(*frame));
        if (verdict != Verdict::taken) {
          problem = broken_link(verdict, id);
          break;
        }
      }
      if (problem.empty()) reader.finish();
    } catch (const FrameError& e) {
      problem = std::string("it sent a malformed frame: ") + e.what();
    } catch (const std::bad_alloc&) {
      problem = "no memory to read its answer";
    }
    if (!problem.empty()) broken(shard, problem);
  }

  // broken() takes down the link of a rank that broke the protocol, saying how (`problem`):
  // its calls end with it, and the pool's restart greets the rank again.
  void broken(std::size_t shard, const std::string& problem) noexcept {
    Slot& slot = slots_[shard];
    const std::uint64_t link = slot.link;
    if (link == 0) return;  // down already, or greeted and not up yet
    slot.outstanding = 0;   // the link's calls end with it
    {
      std::lock_guard lk(mutex_);
      slot.link = 0;
    }
    std::string how;
    try {
      how = "rank " + std::to_string(rank_of(shard)) + ": " + problem;
    } catch (const std::bad_alloc&) {
    }
    events_->on_down(shard, link, std::move(how), true);
  }

  MpiSession& session_;
  Events* events_ = nullptr;
  std::thread thread_;
  std::atomic<bool> answers_soon_{false};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable measured_;
  std::vector<double> round_trips_;  // guarded by mutex_; ns
  std::vector<Slot> slots_;
  std::vector<Start> starts_;     // guarded by mutex_
  std::vector<Outgoing> outbox_;  // guarded by mutex_
  bool pings_wanted_ = false;     // guarded by mutex_: round_trip_ns() was asked
  bool stopping_ = false;         // guarded by mutex_

  // The thread's own:
  std::list<InFlight> in_flight_;
  std::string message_;
  std::unordered_map<std::uint64_t, Greeting> greetings_;  // sent, not answered, by number
  std::uint64_t next_link_ = 1;
};

}  // namespace

std::unique_ptr<Transport> make_mpi_transport(const MpiPlace& place) {
  MpiSession& session = MpiSession::join(place);
  if (!session.claim()) {
    throw std::runtime_error(
        "switchyard: another Runtime of this process has the MPI job's ranks as its shards; one "
        "Runtime at a time can (docs/mpi.md)");
  }
  try {
    return std::make_unique<MpiTransport>(session);
  } catch (...) {
    session.release();
    throw;
  }
}

}  // namespace switchyard::detail
