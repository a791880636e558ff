// tcp-floor: what opening slowio's connections costs the kernel on this machine, with no
// runtime in the way. slow_conns loopback connections are opened one after the other with
// blocking calls, each sending one request line that a server thread in this process accepts
// and reads, so the process's CPU time is both ends' kernel work. slowio cannot send its last
// connection's first request before that work is done, so spread perfectly over every core it
// bounds slowio's makespan from below: slowio_floor_s = slow_requests x slow_delay + cpu / cores.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <exception>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "process_usage.hpp"
#include "protocol.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

constexpr std::size_t kReply = 64;  // asked for, as slowio does; never sent here
// Descriptors kept free for the runtime, the standard streams and the listener.
constexpr rlim_t kSpareFiles = 64;

[[noreturn]] void fail(const char* call) {
  throw std::system_error(errno, std::generic_category(), std::string("tcp-floor: ") + call);
}

// Fd owns a descriptor.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {
    if (fd_ < 0) fail("socket");
  }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  void close() noexcept { ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

void write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail("write");
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

void read_exact(int fd, char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t r = ::read(fd, data, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) fail("read");
    data += r;
    n -= static_cast<std::size_t>(r);
  }
}

// affordable() is how many connections fit in the open-file limit, two descriptors each.
int affordable(int wanted) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) fail("getrlimit");
  const rlim_t fit = lim.rlim_cur > 2 * kSpareFiles ? (lim.rlim_cur - kSpareFiles) / 2 : 0;
  return static_cast<int>(std::min<rlim_t>(static_cast<rlim_t>(wanted), fit));
}

}  // namespace

Outcome run_tcp_floor(const BenchOptions& options, Runtime&) {
  const int conns = affordable(options.slow_conns);
  Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind");
  if (::listen(listener.get(), SOMAXCONN) != 0) fail("listen");
  if (::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    fail("getsockname");
  }
  const std::string request = request_line({0, kReply});

  std::vector<Fd> accepted;
  std::vector<Fd> clients;
  accepted.reserve(static_cast<std::size_t>(conns));
  clients.reserve(static_cast<std::size_t>(conns));
  const double cpu_before = process_usage().cpu_s;
  Outcome out;
  out.tasks = static_cast<std::size_t>(conns);
  out.start = Clock::now();
  std::exception_ptr server_error;
  std::thread server([&] {
    try {
      std::vector<char> line(request.size());
      for (int i = 0; i < conns; ++i) {
        Fd& c = accepted.emplace_back(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        read_exact(c.get(), line.data(), line.size());
      }
    } catch (...) {
      server_error = std::current_exception();
    }
  });
  for (int i = 0; i < conns && !server_error; ++i) {
    const auto submitted = Clock::now();
    Fd& c = clients.emplace_back(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(c.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("connect");
    write_all(c.get(), request.data(), request.size());
    out.checksum += request.size();
    out.task_done(submitted, Clock::now());
  }
  server.join();
  if (server_error) std::rethrow_exception(server_error);
  out.end = Clock::now();
  const double cpu_s = process_usage().cpu_s - cpu_before;
  const auto closing = Clock::now();
  for (Fd& c : clients) c.close();
  for (Fd& c : accepted) c.close();
  const double close_s = std::chrono::duration<double>(Clock::now() - closing).count();

  const double cores = std::thread::hardware_concurrency();
  const double bound_s = options.slow_requests * static_cast<double>(options.slow_delay_us) / 1e6;
  const double scaled_cpu_s = cpu_s * options.slow_conns / std::max(conns, 1);
  out.extra["conns"] = conns;
  out.extra["close_s"] = close_s;
  out.extra["kernel_cpu_s"] = cpu_s;
  out.extra["cpu_us_per_conn"] = cpu_s * 1e6 / std::max(conns, 1);
  out.extra["slowio_bound_s"] = bound_s;
  out.extra["slowio_floor_s"] = bound_s + scaled_cpu_s / cores;
  out.extra["slowio_floor_ratio"] = (bound_s + scaled_cpu_s / cores) / bound_s;
  return out;
}

}  // namespace switchyard::bench
