#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "shard/frame.hpp"
#include "shard/shard_server.hpp"
#include "shard/task_table.hpp"
#include "shard_support.hpp"
#include "shard_tasks.hpp"

namespace switchyard::test {

using detail::Frame;
using detail::FrameError;
using detail::FrameReader;
using detail::FrameType;

TEST_CASE("a frame reader cuts frames out of a stream fed in pieces", "[frames]") {
  std::string stream;
  detail::append_frame(stream, FrameType::call, 7, "add", "args");
  detail::append_frame(stream, FrameType::result, 8, {}, std::string(1000, 'r'), 11, 5, 22);
  const std::size_t step = GENERATE(1u, 5u, 33u, 4096u);
  FrameReader reader;
  std::vector<Frame> frames;
  for (std::size_t at = 0; at < stream.size(); at += step) {
    reader.feed(stream.data() + at, std::min(step, stream.size() - at));
    while (auto f = reader.next()) frames.push_back(std::move(*f));
  }
  REQUIRE(frames.size() == 2);
  CHECK((frames[0].type == FrameType::call && frames[0].id == 7 && frames[0].text == "add" &&
         frames[0].payload == "args"));
  CHECK((frames[1].type == FrameType::result && frames[1].id == 8 && frames[1].cpu_ns == 11 &&
         frames[1].blocked_ns == 5 && frames[1].run_ns == 22 && frames[1].payload.size() == 1000));
  CHECK_NOTHROW(reader.finish());
}

TEST_CASE("a malformed frame is an error that says what is wrong", "[frames]") {
  std::string good;
  detail::append_frame(good, FrameType::call, 1, "add", "xyz");
  FrameReader reader;

  SECTION("an unknown type") {
    std::string bad = good;
    bad[4] = 9;
    reader.feed(bad.data(), bad.size());
    CHECK_THROWS_WITH(reader.next(), "unknown frame type 9");
  }
  SECTION("a length over the limit, rejected before its body arrives") {
    std::string bad = good.substr(0, detail::kFrameHeader);
    const std::uint32_t huge = 0xFFFFFFF0u;
    std::memcpy(bad.data(), &huge, sizeof huge);
    reader.feed(bad.data(), bad.size());
    CHECK_THROWS_WITH(reader.next(), Catch::Contains("over the 256 MiB limit"));
  }
  SECTION("a length at the limit is waited for; one byte past it is refused at once") {
    std::string header = good.substr(0, detail::kFrameHeader);
    const auto at = static_cast<std::uint32_t>(detail::kMaxFrameBody);
    std::memcpy(header.data(), &at, sizeof at);
    reader.feed(header.data(), header.size());
    CHECK_FALSE(reader.next().has_value());
    FrameReader past;
    const std::uint32_t over = at + 1;
    std::memcpy(header.data(), &over, sizeof over);
    past.feed(header.data(), header.size());
    CHECK_THROWS_WITH(past.next(), Catch::Contains("268435457 bytes is over the 256 MiB limit"));
  }
  SECTION("a text longer than the frame") {
    std::string bad = good;
    bad[6] = 100;
    reader.feed(bad.data(), bad.size());
    CHECK_THROWS_WITH(reader.next(), Catch::Contains("text length (100) is longer than its body"));
  }
  SECTION("a stream that ends inside a frame") {
    reader.feed(good.data(), good.size() - 2);
    CHECK_FALSE(reader.next().has_value());
    CHECK_THROWS_WITH(reader.finish(), Catch::Contains("ended in the middle of a frame"));
  }
}

TEST_CASE("a decoded length may take up the bytes left, and not one more", "[frames]") {
  const std::string text = "abc";
  std::string bytes;
  detail::encode_values(bytes, text);
  std::string decoded;
  detail::decode_values(bytes, decoded);
  CHECK(decoded == text);
  const cereal::size_type one_more = text.size() + 1;
  std::memcpy(bytes.data(), &one_more, sizeof one_more);
  CHECK_THROWS_WITH(detail::decode_values(bytes, decoded),
                    Catch::Contains("a length of 4") && Catch::Contains("3 bytes left"));
}

TEST_CASE("a bool byte other than 0 or 1 is refused, not read as a bool", "[frames]") {
  std::string bytes;
  detail::encode_values(bytes, true, std::optional<int>(5));
  bool flag = false;
  std::optional<int> maybe;
  detail::decode_values(bytes, flag, maybe);
  CHECK(flag);
  CHECK(maybe == 5);
  for (const std::size_t at : {std::size_t{0}, std::size_t{1}}) {  // the bool, the optional's flag
    CAPTURE(at);
    std::string bad = bytes;
    bad[at] = 2;
    CHECK_THROWS_WITH(detail::decode_values(bad, flag, maybe), Catch::Contains("a bool of 2"));
  }
}

TEST_CASE("every standard type a task may take decodes as it was encoded", "[frames]") {
  enum class Colour : std::uint8_t { red, green };
  const std::vector<std::string> words{"a", "", "ccc"};
  const std::map<std::string, std::vector<int>> table{{"x", {1, 2}}, {"y", {}}};
  const std::optional<double> some = 2.5;
  const std::optional<double> none;
  const std::array<std::int16_t, 3> fixed{-1, 0, 1};
  const std::tuple<int, std::string, bool> tuple{7, "t", true};
  const std::pair<char, std::uint64_t> pair{'p', 1ull << 40};
  const std::vector<bool> bits{true, false, true};
  const std::vector<std::vector<Point>> points{{Point{1, 2, "a"}}, {}};
  const Colour colour = Colour::green;
  std::string bytes;
  detail::encode_values(bytes, words, table, some, none, fixed, tuple, pair, bits, points, colour);
  std::vector<std::string> words2;
  std::map<std::string, std::vector<int>> table2;
  std::optional<double> some2;
  std::optional<double> none2 = 1.0;
  std::array<std::int16_t, 3> fixed2{};
  std::tuple<int, std::string, bool> tuple2;
  std::pair<char, std::uint64_t> pair2;
  std::vector<bool> bits2;
  std::vector<std::vector<Point>> points2;
  Colour colour2 = Colour::red;
  detail::decode_values(bytes, words2, table2, some2, none2, fixed2, tuple2, pair2, bits2, points2,
                        colour2);
  CHECK(words2 == words);
  CHECK(table2 == table);
  CHECK(some2 == some);
  CHECK(none2 == none);
  CHECK(fixed2 == fixed);
  CHECK(tuple2 == tuple);
  CHECK(pair2 == pair);
  CHECK(bits2 == bits);
  CHECK(points2 == points);
  CHECK(colour2 == colour);
}

// A shard's loop, run on a thread of this process over a socketpair. A read of its answers
// gives up after 30 s, so a shard that never answers fails the test instead of hanging it.
struct LoopbackShard {
  LoopbackShard() : tasks(detail::TaskTable::snapshot()) {
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    const timeval patience{30, 0};
    REQUIRE(::setsockopt(fds[0], SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience) == 0);
    server = std::thread([this] { code = detail::serve_shard(fds[1], tasks); });
  }
  ~LoopbackShard() {
    ::shutdown(fds[0], SHUT_WR);
    server.join();
    ::close(fds[0]);
    ::close(fds[1]);
  }
  void send(const std::string& bytes) const {
    REQUIRE(::write(fds[0], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
  // answer() reads one frame back; nullopt at end of stream.
  std::optional<Frame> answer() {
    char buffer[4096];
    for (;;) {
      if (auto f = reader.next()) return f;
      const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
      if (n <= 0) return std::nullopt;
      reader.feed(buffer, static_cast<std::size_t>(n));
    }
  }

  detail::TaskTable tasks;
  int fds[2] = {-1, -1};
  int code = -1;
  std::thread server;
  FrameReader reader;
};

TEST_CASE("a shard answers bad calls and malformed frames without crashing or hanging",
          "[frames]") {
  LoopbackShard shard;
  std::string call;

  SECTION("a call of a task nobody registered is rejected by name, and the shard goes on") {
    detail::append_frame(call, FrameType::call, 5, "no_such_task", {});
    shard.send(call);
    auto a = shard.answer();
    REQUIRE(a);
    CHECK(a->type == FrameType::rejected);
    CHECK(a->id == 5);
    CHECK_THAT(a->payload, Catch::Contains("no task named 'no_such_task'"));
    call.clear();
    std::string args;
    detail::encode_values(args, std::int64_t{2}, std::int64_t{3});
    detail::append_frame(call, FrameType::call, 6, "add", args);
    shard.send(call);
    a = shard.answer();
    REQUIRE(a);
    CHECK(a->type == FrameType::result);
  }
  SECTION("arguments cut short, or with bytes left over, are rejected") {
    // add() takes two integers.
    const auto [count, complaint] = GENERATE(table<int, std::string>(
        {{1, "the arguments of 'add' did not decode"}, {3, "8 bytes left over"}}));
    std::string args;
    for (int i = 0; i < count; ++i) detail::encode_values(args, std::int64_t{i});
    detail::append_frame(call, FrameType::call, 9, "add", args);
    shard.send(call);
    auto a = shard.answer();
    REQUIRE(a);
    CHECK(a->type == FrameType::rejected);
    CHECK_THAT(a->payload, Catch::Contains(complaint));
  }
  SECTION("a bad length gets a goodbye naming it, and the loop ends") {
    detail::append_frame(call, FrameType::call, 1, "add", {});
    const std::uint32_t huge = 0x7FFFFFFFu;
    std::memcpy(call.data(), &huge, sizeof huge);
    shard.send(call);
    auto a = shard.answer();
    REQUIRE(a);
    CHECK(a->type == FrameType::goodbye);
    CHECK_THAT(a->payload, Catch::Contains("over the 256 MiB limit"));
    shard.server.join();
    CHECK(shard.code == detail::kShardBadFrame);
    shard.server = std::thread([] {});
  }
  SECTION("arguments that announce more than they hold are rejected, not allocated") {
    // The encoding of a 1 GiB vector<int>, or a 1 GiB string, with none of its elements.
    const std::string task = GENERATE("sorted", "shout");
    std::string args;
    detail::encode_values(args, Liar{});
    detail::append_frame(call, FrameType::call, 3, task, args);
    const PeakResident memory;
    shard.send(call);
    auto a = shard.answer();
    REQUIRE(a);
    CHECK(a->type == FrameType::rejected);
    CHECK_THAT(a->payload, Catch::Contains("the arguments of '" + task + "' did not decode") &&
                               Catch::Contains("268435456"));
    CHECK(memory.growth() < (std::size_t{64} << 20));
    call.clear();
    std::string text;
    detail::encode_values(text, std::string("still here"));
    detail::append_frame(call, FrameType::call, 4, "shout", text);
    shard.send(call);
    a = shard.answer();
    REQUIRE(a);
    CHECK(a->type == FrameType::result);
  }
  SECTION("a call frame that stops arriving gets a goodbye once the stall limit passes") {
    detail::append_frame(call, FrameType::call, 1, "add", "0123456789");
    shard.send(call.substr(0, call.size() - 4));
    const auto sent = std::chrono::steady_clock::now();
    auto a = shard.answer();
    REQUIRE(a);
    CHECK(a->type == FrameType::goodbye);
    CHECK_THAT(a->payload,
               Catch::Contains("stopped arriving") && Catch::Contains("49 of 53 bytes"));
    CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(30));
    shard.server.join();
    CHECK(shard.code == detail::kShardBadFrame);
    shard.server = std::thread([] {});
  }
  SECTION("a call frame that keeps arriving, with pauses under the stall limit, is answered") {
    std::string args;
    detail::encode_values(args, std::int64_t{40}, std::int64_t{2});
    detail::append_frame(call, FrameType::call, 2, "add", args);
    for (std::size_t at = 0; at < call.size(); at += 20) {
      shard.send(call.substr(at, 20));
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    auto a = shard.answer();
    REQUIRE(a);
    REQUIRE(a->type == FrameType::result);
    std::int64_t sum = 0;
    detail::decode_values(a->payload, sum);
    CHECK(sum == 42);
  }
  SECTION("a truncated frame at the end of the stream gets a goodbye") {
    detail::append_frame(call, FrameType::call, 1, "add", "0123456789");
    shard.send(call.substr(0, call.size() - 4));
    ::shutdown(shard.fds[0], SHUT_WR);
    auto a = shard.answer();
    REQUIRE(a);
    CHECK(a->type == FrameType::goodbye);
    CHECK_THAT(a->payload, Catch::Contains("ended in the middle of a frame"));
  }
}

}  // namespace switchyard::test
