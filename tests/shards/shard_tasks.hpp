// Registered tasks the shard tests call.
#pragma once

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/registered_task.hpp>

#include "../runtime/support.hpp"
#include "shard/frame.hpp"

namespace switchyard::test {

// Point is a user struct that crosses the process boundary through its serialize().
struct Point {
  double x = 0;
  double y = 0;
  std::string label;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(x, y, label);
  }
  bool operator==(const Point&) const = default;
};

SWITCHYARD_TASK(add, (std::int64_t a, std::int64_t b)->std::int64_t) {
  return a + b;
}

SWITCHYARD_TASK(shout, (const std::string& s)->std::string) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out + "!";
}

SWITCHYARD_TASK(sorted, (std::vector<int> v)->std::vector<int>) {
  std::sort(v.begin(), v.end());
  return v;
}

SWITCHYARD_TASK(mirror, (Point p)->Point) {
  return Point{-p.x, -p.y, p.label + "'"};
}

SWITCHYARD_TASK(nothing, ()->void) {}

// where() is the process that ran the call.
SWITCHYARD_TASK(where, ()->std::int64_t) {
  return getpid();
}

SWITCHYARD_TASK(throws_out_of_range, (int i)->int) {
  throw std::out_of_range("index " + std::to_string(i) + " is out of range");
}

SWITCHYARD_TASK(throws_int, ()->int) {
  throw 42;
}

// nap() sleeps, then echoes: slow enough that many calls are in flight at once.
SWITCHYARD_TASK(nap, (int i, int ms)->int) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return i;
}

// computes() keeps its shard's CPU busy for about `ms` of its thread's CPU time.
SWITCHYARD_TASK(computes, (int ms)->int) {
  spin_for(std::chrono::milliseconds(ms));
  return ms;
}

// naps_again() is nap() for a kind the tests mark idempotent in the config.
SWITCHYARD_TASK(naps_again, (int i, int ms)->int) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return i;
}

// How crash() ends its shard.
enum class Crash : int { segfault = 0, kill = 1, exit = 2 };

SWITCHYARD_TASK(crash, (int how)->int) {
  switch (static_cast<Crash>(how)) {
    case Crash::segfault:
      ::raise(SIGSEGV);
      break;
    case Crash::kill:
      ::kill(::getpid(), SIGKILL);
      break;
    case Crash::exit:
      ::_exit(7);
  }
  return how;
}

// write_to_own_connection() writes `bytes` onto the connection of the shard running the
// caller, the one socket a shard has open, as a shard that breaks the protocol would.
inline void write_to_own_connection(const std::string& bytes) {
  for (int fd = 3; fd < 64; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
      [[maybe_unused]] const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    }
  }
}

// scribble() writes bytes that are not a frame onto its shard's connection, then returns
// normally.
SWITCHYARD_TASK(scribble, ()->int) {
  write_to_own_connection(std::string(64, '\xff'));
  return 0;
}

// stall_mid_frame() writes the header of a result frame as long as the limit allows onto its
// shard's connection, and none of its body: that frame never ends, and the shard's own
// answers from then on are read as part of it.
SWITCHYARD_TASK(stall_mid_frame, ()->int) {
  std::string header;
  detail::append_frame(header, detail::FrameType::result, 0, {}, {});
  const auto body = static_cast<std::uint32_t>(detail::kMaxFrameBody);
  std::memcpy(header.data(), &body, sizeof body);
  write_to_own_connection(header);
  return 0;
}

// Liar's encoding announces `claimed` ints and holds none, as a forged payload would; it
// decodes as a std::vector<int>, so it can stand for the arguments of sorted().
struct Liar {
  std::vector<int> values;
  cereal::size_type claimed = cereal::size_type{1} << 28;  // 1 GiB of ints
  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(claimed));
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(values);
  }
};

// lie() answers with a result that announces 1 GiB and holds nothing.
SWITCHYARD_TASK(lie, ()->Liar) {
  return Liar{};
}

// length_of() is the size of its argument, which may be large.
SWITCHYARD_TASK(length_of, (const std::string& s)->std::uint64_t) {
  return s.size();
}

}  // namespace switchyard::test
