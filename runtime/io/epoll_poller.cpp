// The epoll backend of Poller.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <ctime>
#include <system_error>

#include "core/clock.hpp"
#include "fiber/tsan_build.hpp"
#include "io/poller.hpp"

#if SWITCHYARD_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace switchyard::detail {

namespace {

constexpr std::size_t kBatch = 256;

class EpollPoller final : public Poller {
 public:
  EpollPoller() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {
    if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    wakefd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakefd_ < 0) {
      const int err = errno;
      ::close(epfd_);
      throw std::system_error(err, std::generic_category(), "eventfd");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;  // level-triggered: drained by wait()
    ev.data.ptr = nullptr;
    epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
  }

  ~EpollPoller() override {
    ::close(wakefd_);
    ::close(epfd_);
  }

  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  int register_fd(int fd, void* token) noexcept override {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = token;
#if SWITCHYARD_TSAN
    // TSan orders an EPOLL_CTL_ADD before the epoll_wait that returns its token, but has no
    // interceptor for epoll_pwait2 (clang 14): the same edge, drawn here and in wait().
    __tsan_release(this);
#endif
    return epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
  }

  void deregister_fd(int fd) noexcept override {
    epoll_event ev{};
    epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);
  }

  std::size_t wait(Readiness* out, std::size_t capacity,
                   std::chrono::nanoseconds timeout) noexcept override {
    const int max = static_cast<int>(std::min(capacity, kBatch));
    int n = 0;
    if (timeout == std::chrono::nanoseconds::max()) {
      n = epoll_pwait2(epfd_, events_.data(), max, nullptr, nullptr);
    } else {
      const timespec ts = to_timespec(timeout.count());
      n = epoll_pwait2(epfd_, events_.data(), max, &ts, nullptr);
    }
    if (n < 0) return 0;  // EINTR: the caller looks again
#if SWITCHYARD_TSAN
    if (n > 0) __tsan_acquire(this);
#endif
    std::size_t k = 0;
    for (int i = 0; i < n; ++i) {
      const epoll_event& ev = events_[static_cast<std::size_t>(i)];
      if (ev.data.ptr == nullptr) {
        std::uint64_t count = 0;
        while (::read(wakefd_, &count, sizeof count) == sizeof count) {
        }
        continue;
      }
      const bool broken = (ev.events & (EPOLLERR | EPOLLHUP)) != 0;
      out[k++] = {ev.data.ptr, broken || (ev.events & (EPOLLIN | EPOLLRDHUP)) != 0,
                  broken || (ev.events & EPOLLOUT) != 0, broken || (ev.events & EPOLLRDHUP) != 0};
    }
    return k;
  }

  void wake() noexcept override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wakefd_, &one, sizeof one);
  }

 private:
  int epfd_;
  int wakefd_;
  // A member, not a local: wait() runs on whatever stack the poller's thread is on, often
  // the small stack of the task it is switching away from (one wait() at a time).
  std::array<epoll_event, kBatch> events_;
};

}  // namespace

std::unique_ptr<Poller> make_epoll_poller() {
  return std::make_unique<EpollPoller>();
}

}  // namespace switchyard::detail
