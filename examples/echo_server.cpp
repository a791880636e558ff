// echo_server: a TCP echo server with a task per connection, and a client that opens many.
//
// Usage: echo_server serve HOST:PORT      serve until interrupted (port 0: any free port)
//        echo_server client HOST:PORT N   open N connections at once, each echoing 3 lines
//        echo_server [N]                  both on loopback, N connections (default 2000)
//
// What it shows: a connection is a task that reads a line and writes it back through
// switchyard::net; while it waits for the next line it is suspended, so a couple of fiber
// worker threads serve thousands of connections. The client is the same: a task per
// connection, each holding its connection open while it sends its lines 50 ms apart, so all
// N are open at once.
//
// What to look for: "N of N connections echoed", and in the report the kinds `echo` and
// `client` on fiber with a wait share near 100%, served by the fiber executor's few workers.
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <switchyard/switchyard.hpp>

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// serve() accepts connections on `listener` for ever, a task of kind `echo` for each.
void serve(sy::Runtime& rt, sy::net::Listener& listener) {
  for (;;) {
    rt.spawn("echo", [s = listener.accept()]() mutable {
      while (auto line = s.read_line(30s)) s.write_all(*line + "\n", 5s);
    });
  }
}

// run_clients() opens `count` connections to `address`, a task of kind `client` for each, and
// returns how many got every line back.
int run_clients(sy::Runtime& rt, const std::string& address, int count) {
  std::atomic<int> echoed{0};
  std::vector<sy::Future<void>> clients;
  for (int n = 0; n < count; ++n) {
    clients.push_back(rt.spawn("client", [&, n] {
      sy::net::Socket s = sy::net::connect(address, 10s);
      for (int i = 0; i < 3; ++i) {
        if (i > 0) sy::this_task::sleep_for(50ms);
        const std::string line = fmt::format("connection {} line {}", n, i);
        s.write_all(line + "\n", 10s);
        if (s.read_line(10s) != line) return;
      }
      ++echoed;
    }));
  }
  for (auto& c : clients) {
    try {
      c.get();
    } catch (const std::exception& e) {
      std::cerr << "client: " << e.what() << '\n';
    }
  }
  return echoed;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::vector<std::string> args(argv + 1, argv + argc);
  sy::Runtime rt;
  if (args.size() == 2 && args[0] == "serve") {
    sy::net::Listener listener = sy::net::listen(args[1]);
    std::cout << "echo server on " << listener.address() << std::endl;
    rt.spawn("accept", [&] { serve(rt, listener); }).get();
    return 0;
  }
  if (args.size() == 3 && args[0] == "client") {
    const int count = std::stoi(args[2]);
    const int echoed = run_clients(rt, args[1], count);
    std::cout << fmt::format("{} of {} connections echoed\n", echoed, count);
    return echoed == count ? 0 : 1;
  }
  if (args.size() > 1 || (args.size() == 1 && args[0].find_first_not_of("0123456789") == 0)) {
    std::cerr << "usage: echo_server serve HOST:PORT | echo_server client HOST:PORT N | "
                 "echo_server [N]\n";
    return 2;
  }
  const int count = args.empty() ? 2000 : std::stoi(args[0]);
  sy::net::Listener listener = sy::net::listen("127.0.0.1:0");
  rt.spawn("accept", [&] { serve(rt, listener); });
  const auto start = std::chrono::steady_clock::now();
  const int echoed = run_clients(rt, listener.address(), count);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::cout << fmt::format("{} of {} connections echoed, on {}, in {:.2f} s\n\n", echoed, count,
                           listener.address(), took.count());
  rt.report().print(std::cout);
  rt.shutdown(0ms);  // ends the accept loop, waiting in accept()
  return echoed == count ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "echo_server: " << e.what() << '\n';
  return 1;
}
