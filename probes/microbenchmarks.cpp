// The calibration microbenchmarks: Boost.Fiber, a system call, a process round trip, framing
// and the spin kernel, each timed in rounds and summarised by the median round.
#include <switchyard/microbenchmarks.hpp>
#include <switchyard/timed_rounds.hpp>

#include <boost/fiber/all.hpp>

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace switchyard {

namespace {

// keep() stops the compiler from dropping a computation whose result nothing reads.
template <class T>
void keep(const T& value) {
  asm volatile("" : : "g"(&value) : "memory");
}

// on_own_thread() runs a fiber measurement on a new thread, whose Boost.Fiber scheduler is
// created for it and destroyed with it, and turns any failure into a missing figure.
template <class Body>
Figure on_own_thread(Body body) {
  Figure figure = Figure::missing("the measurement thread did not run");
  try {
    std::thread thread([&figure, &body] {
      try {
        figure = body();
      } catch (const std::exception& error) {
        figure = Figure::missing(std::string("Boost.Fiber failed: ") + error.what());
      }
    });
    thread.join();
  } catch (const std::exception& error) {
    figure = Figure::missing(std::string("could not start a thread: ") + error.what());
  }
  return figure;
}

std::string errno_text(const char* call) {
  return std::string(call) + ": " + std::strerror(errno);
}

// send_byte() and receive_byte() retry on EINTR; MSG_NOSIGNAL turns a dead peer into an error
// rather than SIGPIPE. Both are async-signal-safe, so the forked child may use them.
bool send_byte(int fd, char byte) {
  while (true) {
    const ssize_t sent = send(fd, &byte, 1, MSG_NOSIGNAL);
    if (sent == 1) return true;
    if (sent < 0 && errno == EINTR) continue;
    return false;
  }
}

bool receive_byte(int fd, char& byte) {
  while (true) {
    const ssize_t got = recv(fd, &byte, 1, 0);
    if (got == 1) return true;
    if (got < 0 && errno == EINTR) continue;
    return false;
  }
}

}  // namespace

Figure measure_fiber_switch_ns() {
  return on_own_thread([] {
    constexpr long kYields = 5000;  // per fiber, so each round makes 2 * kYields switches
    const auto ns = median_ns_per_op(2 * kYields, [](long switches) {
      const auto yielder = [switches] {
        for (long i = 0; i < switches / 2; ++i) boost::this_fiber::yield();
      };
      boost::fibers::fiber first(yielder);
      boost::fibers::fiber second(yielder);
      first.join();
      second.join();
      return true;
    });
    return Figure::measured(*ns, "2 fibers x " + std::to_string(kYields) + " yields, round_robin");
  });
}

Figure measure_fiber_spawn_join_ns() {
  return on_own_thread([] {
    constexpr long kFibers = 1000;
    const auto ns = median_ns_per_op(kFibers, [](long fibers) {
      for (long i = 0; i < fibers; ++i) {
        boost::fibers::fiber fiber([] {});
        fiber.join();
      }
      return true;
    });
    return Figure::measured(*ns, std::to_string(kFibers) + " empty fibers, default stack");
  });
}

Figure measure_syscall_ns() {
  constexpr long kCalls = 5000;
  const auto ns = median_ns_per_op(kCalls, [](long calls) {
    long sum = 0;
    for (long i = 0; i < calls; ++i) sum += syscall(SYS_getppid);
    keep(sum);
    return true;
  });
  return Figure::measured(*ns, std::to_string(kCalls) + " x syscall(SYS_getppid)");
}

Figure measure_process_round_trip_ns() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return Figure::missing(errno_text("socketpair"));
  }
  const pid_t child = fork();
  if (child < 0) {
    const Figure missing = Figure::missing(errno_text("fork"));
    close(fds[0]);
    close(fds[1]);
    return missing;
  }
  if (child == 0) {
    // The child of a possibly multi-threaded parent: async-signal-safe calls only.
    close(fds[0]);
    char byte = 0;
    while (receive_byte(fds[1], byte) && send_byte(fds[1], byte)) {
    }
    _exit(0);
  }
  close(fds[1]);
  const int fd = fds[0];
  constexpr long kTrips = 400;
  const auto ns = median_ns_per_op(kTrips, [fd](long trips) {
    char byte = 'p';
    for (long i = 0; i < trips; ++i) {
      if (!send_byte(fd, byte) || !receive_byte(fd, byte)) return false;
    }
    return true;
  });
  const int saved_errno = errno;
  close(fd);  // the child reads end-of-file and exits
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!ns) {
    errno = saved_errno;
    return Figure::missing(errno_text("ping-pong with the child"));
  }
  return Figure::measured(
      *ns, std::to_string(kTrips) + " x 1-byte ping-pong, AF_UNIX socketpair, forked child");
}

Figure measure_serialize_ns_per_byte() {
  constexpr std::size_t kPayload = 64 * 1024;
  std::vector<unsigned char> payload(kPayload);
  for (std::size_t i = 0; i < kPayload; ++i) payload[i] = static_cast<unsigned char>(i * 131);
  std::vector<unsigned char> frame;
  const auto ns = median_ns_per_op(100, [&payload, &frame](long frames) {
    for (long i = 0; i < frames; ++i) {
      const auto length = static_cast<std::uint32_t>(payload.size());
      frame.resize(sizeof length + payload.size());
      std::memcpy(frame.data(), &length, sizeof length);
      std::memcpy(frame.data() + sizeof length, payload.data(), payload.size());
      keep(frame.data());
    }
    return true;
  });
  return Figure::measured(
      *ns / static_cast<double>(kPayload),
      "4-byte length + memcpy of " + std::to_string(kPayload / 1024) + " KiB into a reused buffer");
}

Figure measure_spin_iters_per_second() {
  constexpr long kIters = 1'000'000;
  const auto ns = median_ns_per_op(kIters, [](long iters) {
    keep(spin(static_cast<std::uint64_t>(iters), static_cast<std::uint64_t>(iters)));
    return true;
  });
  return Figure::measured(1e9 / *ns, "spin(seed, " + std::to_string(kIters) + "), one thread");
}

}  // namespace switchyard
