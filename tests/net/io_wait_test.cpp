// wait_readable / wait_writable on any descriptor: a pipe here, waited on from a fiber, a pool
// thread and a plain thread.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>

#include <switchyard/io.hpp>
#include <switchyard/switchyard.hpp>

#include "net_support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using sy::test::Caller;
using sy::test::kPatience;

TEST_CASE("wait_readable returns true once another task writes", "[io-wait]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::test::Pipe pipe;
  sy::Runtime rt(sy::test::small_config());
  // The writer gives the waiter a head start, so the wait usually suspends (or blocks) first;
  // the assertions hold whichever runs first.
  auto writer = rt.spawn(
      "writer",
      [&pipe] {
        sy::this_task::sleep_for(20ms);
        return ::write(pipe.write_end, "x", 1);
      },
      sy::on(sy::Placement::fiber));
  struct Seen {
    bool readable = false;
    ssize_t got = -1;
  };
  const auto seen = sy::test::run_as(rt, caller, [&pipe] {
    Seen s;
    s.readable = sy::wait_readable(pipe.read_end, kPatience);
    char byte = 0;
    s.got = ::read(pipe.read_end, &byte, 1);
    return s;
  });
  REQUIRE(writer.get() == 1);
  REQUIRE(seen.readable);
  REQUIRE(seen.got == 1);
}

TEST_CASE("wait_readable with no writer returns false at its deadline", "[io-wait]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::test::Pipe pipe;
  sy::Runtime rt(sy::test::small_config());
  const auto [readable, waited] = sy::test::run_as(rt, caller, [&pipe] {
    const auto start = std::chrono::steady_clock::now();
    const bool r = sy::wait_readable(pipe.read_end, 30ms);
    return std::make_pair(r, sy::test::since(start));
  });
  REQUIRE_FALSE(readable);
  REQUIRE(waited >= 30ms);
  REQUIRE(waited < 5s);
}

TEST_CASE("wait_writable on a pipe with room returns true at once", "[io-wait]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::test::Pipe pipe;
  sy::Runtime rt(sy::test::small_config());
  const bool writable =
      sy::test::run_as(rt, caller, [&pipe] { return sy::wait_writable(pipe.write_end, 1s); });
  REQUIRE(writable);
}

TEST_CASE("a descriptor that cannot be waited on is a system_error", "[io-wait]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  // -1 is never open (poll() would silently ignore it and wait out the deadline).
  const auto bad = sy::test::run_as(rt, caller, [] {
    return sy::test::caught<std::system_error>([] { (void)sy::wait_readable(-1, 1s); });
  });
  REQUIRE(bad.has_value());
  CAPTURE(bad->what());
  REQUIRE(bad->code() == std::errc::bad_file_descriptor);
}

TEST_CASE("a fiber cannot wait on a regular file", "[io-wait]") {
  // epoll refuses regular files (EPERM), as io.hpp says; off the fiber executor the header
  // does not say what happens (poll() reports a regular file ready), so only fibers are
  // checked.
  sy::Runtime rt(sy::test::small_config());
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int fd = ::fileno(file);
  const auto refused = sy::test::run_as(rt, sy::Placement::fiber, [fd] {
    return sy::test::caught<std::system_error>([fd] { (void)sy::wait_readable(fd, 1s); });
  });
  std::fclose(file);
  REQUIRE(refused.has_value());
  CAPTURE(refused->what());
  REQUIRE(refused->code() == std::errc::operation_not_permitted);
}
