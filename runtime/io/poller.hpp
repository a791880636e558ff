// Poller: the operating system's readiness interface, behind the reactor.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

namespace switchyard::detail {

// Readiness is what a poller reports for one registered descriptor.
struct Readiness {
  void* token = nullptr;  // what register_fd() was given
  bool readable = false;  // includes end of stream, hang-up and error
  bool writable = false;  // includes hang-up and error
  bool closed = false;    // end of stream, hang-up or error: no further edge will come
};

// Poller is a backend of the reactor: descriptors registered once, edge-triggered, for both
// directions, and a wait that a wake() from another thread interrupts. epoll is the only
// backend so far (io_uring would come in behind this interface when measured better).
// register_fd/deregister_fd/wake may be called from any thread; wait() from one thread at a
// time.
class Poller {
 public:
  virtual ~Poller() = default;

  // register_fd() watches `fd`; its events carry `token`. Returns 0 or an errno.
  virtual int register_fd(int fd, void* token) noexcept = 0;
  // deregister_fd() stops watching `fd`. Events already collected may still carry its token.
  virtual void deregister_fd(int fd) noexcept = 0;
  // wait() collects up to `capacity` readiness records into `out`, waiting until one arrives,
  // wake() is called, or `timeout` passes (zero: do not wait; max: no timeout). Returns how
  // many it collected; a wake-up is not reported as a record.
  virtual std::size_t wait(Readiness* out, std::size_t capacity,
                           std::chrono::nanoseconds timeout) noexcept = 0;
  // wake() makes the current or next wait() return promptly.
  virtual void wake() noexcept = 0;
};

// make_epoll_poller() is the epoll backend. Throws std::system_error when the kernel refuses
// an epoll or eventfd descriptor.
std::unique_ptr<Poller> make_epoll_poller();

}  // namespace switchyard::detail
