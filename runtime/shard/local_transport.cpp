#include "shard/local_transport.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include <switchyard/config_limits.hpp>

#include "shard/shard_server.hpp"

namespace switchyard::detail {

namespace {

using Clock = std::chrono::steady_clock;

// How long a start waits for the zygote's report before it counts as failed.
constexpr std::chrono::seconds kStartReportGrace{5};
// How long a closed link waits for the zygote to say how its shard ended.
constexpr std::chrono::seconds kExitReportGrace{2};
// epoll tags: the two descriptors of the transport itself, then one per link, with the
// link id in the high bits so an event collected for a link that has since closed is known.
constexpr std::uint64_t kWakeTag = 0;
constexpr std::uint64_t kControlTag = 1;
constexpr std::uint64_t kFirstShardTag = 2;
constexpr unsigned kShardBits = 16;
static_assert(kMaxShards - 1 + kFirstShardTag < (std::uint64_t{1} << kShardBits),
              "every shard's tag must fit in its bits");

std::uint64_t tag_of(std::size_t shard, std::uint64_t link) noexcept {
  return (link << kShardBits) | (shard + kFirstShardTag);
}

// describe() says how a process ended, from its wait status.
std::string describe(int status) {
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* name = ::sigdescr_np(sig);
    return "was killed by signal " + std::to_string(sig) + " (" +
           (name != nullptr ? name : "unknown") + ")";
  }
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    std::string s = "exited with status " + std::to_string(code);
    if (code == kShardBadFrame) s += " (it was sent a malformed frame)";
    if (code == kShardBrokenLink) s += " (its connection failed)";
    return s;
  }
  return "ended with wait status " + std::to_string(status);
}

void system_failure(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

LocalTransport::LocalTransport(std::size_t slots, const TaskTable& tasks, const Topology& topology)
    : topology_(topology), zygote_(tasks, topology_) {
  if (slots == 0 || slots > kMaxShards) {
    throw std::invalid_argument("switchyard: executors.shards = " + std::to_string(slots) +
                                ": a shard pool has between 1 and " + std::to_string(kMaxShards) +
                                " shards");
  }
  links_.reserve(slots);
  for (std::size_t i = 0; i < slots; ++i) links_.push_back(std::make_unique<Link>(i));
}

LocalTransport::~LocalTransport() {
  stop();
}

void LocalTransport::open(Events& events) {
  events_ = &events;
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) system_failure("switchyard: shard transport: epoll_create1");
  wake_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_ < 0) system_failure("switchyard: shard transport: eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev) != 0) system_failure("epoll_ctl");
  ev.data.u64 = kControlTag;
  if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, zygote_.control_fd(), &ev) != 0) {
    system_failure("switchyard: shard transport: epoll_ctl");
  }
  thread_ = std::thread([this] { run(); });
}

void LocalTransport::start(std::size_t shard, std::chrono::milliseconds delay) {
  {
    std::lock_guard lk(requests_mutex_);
    requests_.emplace_back(shard, Clock::now() + delay);
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_, &one, sizeof one);
}

bool LocalTransport::send(std::size_t shard, std::uint64_t link_id, std::string_view frame) {
  Link& link = *links_[shard];
  std::lock_guard lk(link.mutex);
  if (link.id != link_id || link.fd < 0) return false;
  std::size_t sent = 0;
  if (link.out.empty()) {
    const ssize_t n = ::send(link.fd, frame.data(), frame.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      ::shutdown(link.fd, SHUT_RDWR);  // the transport thread then sees the link end
      return false;
    }
    sent = n < 0 ? 0 : static_cast<std::size_t>(n);
  }
  try {
    link.out.append(frame.substr(sent));
  } catch (const std::bad_alloc&) {
    ::shutdown(link.fd, SHUT_RDWR);  // a frame cut short cannot be finished later
    return false;
  }
  if (sent < frame.size() && link.out.size() == frame.size() - sent) watch(link, true);
  return true;
}

void LocalTransport::watch(Link& link, bool writable) noexcept {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (writable ? EPOLLOUT : 0u);
  ev.data.u64 = tag_of(link.shard, link.id);
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, link.fd, &ev);
}

void LocalTransport::flush(Link& link) noexcept {
  std::lock_guard lk(link.mutex);
  if (link.fd < 0) return;
  while (!link.out.empty()) {
    const std::string_view pending = link.out.front();
    const ssize_t n = ::send(link.fd, pending.data(), pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: wait for the next EPOLLOUT; an error: EPOLLIN sees the end
    link.out.take(static_cast<std::size_t>(n));
  }
  if (link.out.empty()) watch(link, false);
}

void LocalTransport::stop() noexcept {
  std::call_once(stopped_, [this] {
    stopping_.store(true);
    if (thread_.joinable()) {
      const std::uint64_t one = 1;
      [[maybe_unused]] const ssize_t n = ::write(wake_, &one, sizeof one);
      thread_.join();
    }
    for (auto& link : links_) {
      std::lock_guard lk(link->mutex);
      if (link->fd >= 0) ::close(link->fd);
      link->fd = -1;
      link->out.clear();
    }
    zygote_.stop();  // closing its control socket ends the zygote, which ends its shards
    if (wake_ >= 0) ::close(wake_);
    if (epoll_ >= 0) ::close(epoll_);
    wake_ = epoll_ = -1;
  });
}

void LocalTransport::run() noexcept {
  epoll_event events[64];
  while (!stopping_.load()) {
    const int n = wait(events, 64);
    for (int i = 0; i < n && !stopping_.load(); ++i) {
      const std::uint64_t tag = events[i].data.u64;
      if (tag == kWakeTag) {
        std::uint64_t count;
        [[maybe_unused]] const ssize_t r = ::read(wake_, &count, sizeof count);
        take_start_requests();
        continue;
      }
      if (tag == kControlTag) {
        on_reports();
        continue;
      }
      const std::size_t shard = (tag & ((1u << kShardBits) - 1)) - kFirstShardTag;
      Link& link = *links_[shard];
      if (link.state != State::up || link.id != tag >> kShardBits) continue;
      if ((events[i].events & EPOLLOUT) != 0) flush(link);
      if ((events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
        on_readable(shard);
      }
    }
    on_deadlines();
  }
}

int LocalTransport::wait(epoll_event* events, int capacity) noexcept {
  if (answers_soon_.load(std::memory_order_relaxed)) {
    const auto until = Clock::now() + kPollWindow;
    do {
      const int n = ::epoll_wait(epoll_, events, capacity, 0);
      if (n != 0) return n;
    } while (Clock::now() < until);
  }
  return ::epoll_wait(epoll_, events, capacity, timeout_ms());
}

int LocalTransport::timeout_ms() const noexcept {
  std::optional<Clock::time_point> next;
  for (const auto& link : links_) {
    if (link->state == State::starting || link->state == State::ending ||
        (link->state == State::up && link->reader.partial())) {
      if (!next || link->deadline < *next) next = link->deadline;
    }
  }
  if (!next) return -1;
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(wait, 0, 60'000));
}

void LocalTransport::take_start_requests() noexcept {
  std::vector<std::pair<std::size_t, Clock::time_point>> requests;
  {
    std::lock_guard lk(requests_mutex_);
    requests.swap(requests_);
  }
  for (const auto& [shard, when] : requests) {
    Link& link = *links_[shard];
    if (link.state != State::down) continue;  // already starting or serving
    link.state = State::starting;
    link.deadline = when;
  }
}

void LocalTransport::on_deadlines() noexcept {
  const auto now = Clock::now();
  for (std::size_t shard = 0; shard < links_.size(); ++shard) {
    Link& link = *links_[shard];
    if (link.deadline > now) continue;
    if (link.state == State::starting && link.pid == 0) {
      if (!zygote_alive_) {
        link.state = State::down;
        events_->on_down(shard, 0, "could not be started: the shard zygote " + zygote_end_, false);
      } else if (zygote_.spawn(static_cast<std::uint32_t>(shard),
                               static_cast<std::uint32_t>(shard % topology_.core_count()))) {
        link.pid = -1;  // requested: the zygote's report comes next, or this deadline
        link.deadline = now + kStartReportGrace;
      } else {
        zygote_lost("closed its control socket");
      }
    } else if (link.state == State::starting) {
      link.state = State::down;
      link.pid = 0;
      events_->on_down(shard, 0, "could not be started: the shard zygote did not answer", true);
    } else if (link.state == State::ending) {
      down(shard, -1);
    } else if (link.state == State::up && link.reader.partial()) {
      on_readable(shard);  // what came while the deadline was due counts
      if (link.state == State::up && link.reader.partial() && link.deadline <= now) {
        end_link(shard, link.reader.stalled(kFrameStall));
      }
    }
  }
}

void LocalTransport::on_reports() noexcept {
  for (;;) {
    std::optional<ZygoteReport> report;
    try {
      report = zygote_.receive();
    } catch (const std::system_error&) {
      zygote_lost("closed its control socket");
      return;
    }
    if (!report) return;
    if (report->kind == ZygoteReport::Kind::exited) {
      auto it = std::find_if(links_.begin(), links_.end(), [&](const auto& l) {
        return l->pid == report->pid && (l->state == State::up || l->state == State::ending);
      });
      if (it == links_.end()) continue;  // its link already gave up waiting
      const auto shard = static_cast<std::size_t>(it - links_.begin());
      if ((*it)->state == State::up) {
        // Its answers may still be buffered; then its end of stream, unless a process it
        // forked holds the socket open: the link ends here either way.
        early_exits_[report->pid] = report->status;
        on_readable(shard);
        if ((*it)->state == State::up) end_link(shard, "a process it started kept its socket open");
      } else {
        down(shard, report->status);
      }
      continue;
    }
    const std::size_t shard = report->shard;
    if (shard >= links_.size() || links_[shard]->state != State::starting) {
      if (report->fd >= 0) ::close(report->fd);
      if (report->pid > 0) zygote_.kill(report->pid);
      continue;
    }
    Link& link = *links_[shard];
    if (report->kind == ZygoteReport::Kind::failed) {
      link.state = State::down;
      link.pid = 0;
      events_->on_down(shard, 0,
                       std::string("could not be started: ") + std::strerror(report->status), true);
      continue;
    }
    std::uint64_t id = next_link_++;
    int error = report->fd < 0 ? EMFILE : 0;  // a descriptor that did not fit was dropped
    if (error == 0) {
      std::lock_guard lk(link.mutex);
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = tag_of(shard, id);
      if (::fcntl(report->fd, F_SETFL, ::fcntl(report->fd, F_GETFL) | O_NONBLOCK) != 0 ||
          ::epoll_ctl(epoll_, EPOLL_CTL_ADD, report->fd, &ev) != 0) {
        error = errno;
      } else {
        link.fd = report->fd;
        link.id = id;
        link.out.clear();
      }
    }
    if (error != 0) {
      if (report->fd >= 0) ::close(report->fd);
      zygote_.kill(report->pid);
      link.state = State::down;
      link.pid = 0;
      events_->on_down(shard, 0,
                       std::string("could not be started: its connection could not be kept: ") +
                           std::strerror(error),
                       true);
      continue;
    }
    link.state = State::up;
    link.pid = report->pid;
    link.reader = FrameReader();
    link.problem.clear();
    events_->on_up(shard, id, "pid " + std::to_string(report->pid));
  }
}

void LocalTransport::on_readable(std::size_t shard) noexcept {
  Link& link = *links_[shard];
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(link.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n > 0) link.deadline = Clock::now() + kFrameStall;  // for the frame it may leave begun
    if (n <= 0) {
      std::string problem;
      try {
        link.reader.finish();
      } catch (const FrameError& e) {
        problem = e.what();
      }
      end_link(shard, problem);
      return;
    }
    try {
      link.reader.feed(buffer, static_cast<std::size_t>(n));
      while (auto frame = link.reader.next()) {
        if (frame->type == FrameType::goodbye) {
          end_link(shard, "it was sent a malformed frame: " + frame->payload);
          return;
        }
        const std::uint64_t id = frame->id;
        const Verdict verdict = frame->type == FrameType::call
                                    ? Verdict::unasked
                                    : events_->on_frame(shard, link.id, std::move(*frame));
        if (verdict != Verdict::taken) {
          end_link(shard, broken_link(verdict, id));
          return;
        }
      }
    } catch (const FrameError& e) {
      end_link(shard, std::string("it sent a malformed frame: ") + e.what());
      return;
    } catch (const std::bad_alloc&) {
      end_link(shard, "its answer did not fit in memory");
      return;
    }
  }
}

void LocalTransport::end_link(std::size_t shard, std::string problem) noexcept {
  Link& link = *links_[shard];
  {
    std::lock_guard lk(link.mutex);
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, link.fd, nullptr);
    ::close(link.fd);
    link.fd = -1;
    link.out.clear();
  }
  link.problem = std::move(problem);
  link.state = State::ending;
  if (auto it = early_exits_.find(link.pid); it != early_exits_.end()) {
    const int status = it->second;
    early_exits_.erase(it);
    down(shard, status);
    return;
  }
  zygote_.kill(link.pid);  // it may still run (a broken protocol, a closed descriptor)
  link.deadline = Clock::now() + kExitReportGrace;
}

void LocalTransport::down(std::size_t shard, int status) noexcept {
  Link& link = *links_[shard];
  std::string how;
  try {
    how = status >= 0 ? describe(status)
                      : "closed its connection, and how the process ended is unknown";
    if (!link.problem.empty()) how += "; " + link.problem;
  } catch (const std::bad_alloc&) {
  }
  link.state = State::down;
  link.pid = 0;
  events_->on_down(shard, link.id, std::move(how), zygote_alive_);
}

void LocalTransport::zygote_lost(const std::string& why) noexcept {
  if (!zygote_alive_) return;
  zygote_alive_ = false;
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, zygote_.control_fd(), nullptr);
  zygote_.stop();
  try {
    zygote_end_ = zygote_.exit_status() ? describe(*zygote_.exit_status()) : why;
  } catch (const std::bad_alloc&) {
  }
  // Its shards die with it (they asked for SIGKILL when their parent dies); nobody is left
  // to report how, so say it here.
  for (std::size_t shard = 0; shard < links_.size(); ++shard) {
    Link& link = *links_[shard];
    if (link.state == State::up) end_link(shard, {});
    if (link.state == State::ending) {
      link.problem = "its zygote " + zygote_end_;
      down(shard, SIGKILL);  // a wait status of SIGKILL reads "killed by signal 9"
    } else if (link.state == State::starting) {
      link.state = State::down;
      link.pid = 0;
      events_->on_down(shard, 0, "could not be started: the shard zygote " + zygote_end_, false);
    }
  }
}

}  // namespace switchyard::detail
