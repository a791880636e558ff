// echo-server: the server side of the ten-thousand-connection echo test, in a process of its
// own so that each side's descriptors count against its own open-file limit. It prints its
// address on the first line of standard output and runs until standard input closes.
#include <unistd.h>

#include <chrono>
#include <iostream>

#include <switchyard/switchyard.hpp>

namespace sy = switchyard;

int main() {
  sy::Runtime rt;
  auto listener = sy::net::listen("127.0.0.1:0");
  std::cout << listener.address() << std::endl;
  // The accept loop runs until the shutdown below cancels it; nobody waits for its future.
  (void)rt.spawn(
      "echo-accept",
      [&rt, &listener] {
        for (;;) {
          (void)rt.spawn(
              "echo-connection",
              [sock = listener.accept()]() mutable {
                while (auto line = sock.read_line()) sock.write_all(*line + '\n');
              },
              sy::on(sy::Placement::fiber));
        }
      },
      sy::on(sy::Placement::fiber));
  char c = 0;
  while (::read(STDIN_FILENO, &c, 1) > 0) {
  }
  // Cancels the accept loop and any connection still open.
  rt.shutdown(std::chrono::milliseconds(0));
  return 0;
}
