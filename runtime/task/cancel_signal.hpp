// CancelSignal: the runtime's "unwind your waits" flag, readable by poll() as well as in memory.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <system_error>

namespace switchyard::detail {

// CancelSignal is raised once, at shutdown, when the grace period ends. Tasks parked on a
// fiber worker are woken through their reactors; a task blocked in poll() on a pool thread
// also watches fd(), which becomes readable (and stays so) when it is raised.
class CancelSignal {
 public:
  CancelSignal() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  }
  ~CancelSignal() { ::close(fd_); }
  CancelSignal(const CancelSignal&) = delete;
  CancelSignal& operator=(const CancelSignal&) = delete;

  void raise() noexcept {
    raised_.store(true, std::memory_order_seq_cst);
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
  }
  bool raised() const noexcept { return raised_.load(std::memory_order_seq_cst); }
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
  std::atomic<bool> raised_{false};
};

}  // namespace switchyard::detail
