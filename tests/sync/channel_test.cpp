#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// make_channel() is a channel of `capacity` (nullopt: unbounded).
std::unique_ptr<sy::Channel<long>> make_channel(std::optional<std::size_t> capacity) {
  if (!capacity) return std::make_unique<sy::Channel<long>>(sy::unbounded);
  return std::make_unique<sy::Channel<long>>(*capacity);
}

}  // namespace

TEST_CASE(
    "Channel: senders and receivers on every executor and threads, each value once, in "
    "order per sender",
    "[channel]") {
  const std::optional<std::size_t> capacity =
      GENERATE(std::optional<std::size_t>(0), std::optional<std::size_t>(1),
               std::optional<std::size_t>(16), std::optional<std::size_t>());
  CAPTURE(capacity.value_or(SIZE_MAX));
  sy::Runtime rt(sy::test::sync_config());
  auto ch = make_channel(capacity);
  constexpr long kEach = 400;
  constexpr int kSenders = 6;  // the even ids of 12
  std::atomic<int> senders_left{kSenders};
  std::atomic<long> sum{0};
  std::atomic<long> count{0};
  std::atomic<int> out_of_order{0};
  sy::test::everywhere(rt, 3, 3, [&](int id) {
    if (id % 2 == 0) {
      for (long k = 1; k <= kEach; ++k) ch->send(id * 1'000'000L + k);
      if (senders_left.fetch_sub(1) == 1) ch->close();
      return;
    }
    std::map<long, long> last;  // per sender
    for (long v : *ch) {
      long& seen = last[v / 1'000'000];
      if (v % 1'000'000 <= seen) out_of_order.fetch_add(1);
      seen = v % 1'000'000;
      sum.fetch_add(v % 1'000'000);
      count.fetch_add(1);
    }
  });
  REQUIRE(out_of_order.load() == 0);
  REQUIRE(count.load() == kSenders * kEach);
  REQUIRE(sum.load() == kSenders * (kEach * (kEach + 1) / 2));
  REQUIRE(ch->drained());
}

TEST_CASE("Channel: close lets receivers drain, then ends; senders get ChannelClosed",
          "[channel]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Channel<std::string> ch(4);
  ch.send("a");
  ch.send("b");
  ch.close();
  ch.close();  // a second close does nothing
  REQUIRE(ch.closed());
  REQUIRE_FALSE(ch.drained());
  REQUIRE_THROWS_WITH(ch.send("c"), Catch::Contains("closed"));
  REQUIRE(ch.receive() == "a");
  REQUIRE(rt.spawn(
                "drain", [&] { return *ch.receive(); }, sy::on(sy::Placement::cpu))
              .get() == "b");
  REQUIRE_FALSE(ch.receive());
  REQUIRE(ch.drained());

  // Waiters on every executor and a thread wake when it closes: receivers to the end,
  // senders (on a rendezvous channel, so they wait) to ChannelClosed.
  sy::Channel<int> idle(0);
  sy::Channel<int> full(0);
  std::atomic<int> ended{0};
  std::atomic<int> refused{0};
  std::atomic<int> waiting{0};
  auto closer = rt.spawn("closer", [&] {
    while (waiting.load() < 8) sy::this_task::sleep_for(1ms);
    sy::this_task::sleep_for(5ms);
    idle.close();
    full.close();
  });
  sy::test::everywhere(rt, 2, 2, [&](int id) {
    waiting.fetch_add(1);
    if (id % 2 == 0) {
      if (!idle.receive()) ended.fetch_add(1);
    } else {
      try {
        full.send(id);
      } catch (const sy::ChannelClosed&) {
        refused.fetch_add(1);
      }
    }
  });
  closer.get();
  REQUIRE(ended.load() == 4);
  REQUIRE(refused.load() == 4);
}

TEST_CASE("Channel: try and deadline variants on every executor and a thread", "[channel]") {
  sy::Runtime rt(sy::test::sync_config());
  std::array<sy::Channel<std::string>, 4> rendezvous_each;  // one per contender
  sy::Channel<std::string> one(1);
  std::atomic<int> right{0};
  sy::test::everywhere(rt, 1, 1, [&](int id) {
    auto& rendezvous = rendezvous_each[static_cast<std::size_t>(id)];
    std::string v = "kept";
    const auto start = std::chrono::steady_clock::now();
    const bool sent = rendezvous.send_for(std::move(v), 20ms);
    const bool waited = std::chrono::steady_clock::now() - start >= 20ms;
    // NOLINTNEXTLINE(bugprone-use-after-move): a failed send leaves the value alone
    if (!sent && waited && v == "kept" && !rendezvous.try_send(std::move(v)) &&
        !rendezvous.receive_for(10ms) && !rendezvous.try_receive()) {
      right.fetch_add(1);
    }
  });
  REQUIRE(right.load() == 4);
  REQUIRE(one.try_send("x"));
  std::string y = "y";
  REQUIRE_FALSE(one.try_send(std::move(y)));
  REQUIRE(y == "y");  // NOLINT(bugprone-use-after-move)
  REQUIRE(one.size() == 1);
  REQUIRE(one.try_receive() == "x");
  REQUIRE_FALSE(one.try_receive());
  REQUIRE_FALSE(one.drained());
}

TEST_CASE("Channel: a huge capacity allocates only what is used; move-only values", "[channel]") {
  sy::Channel<std::unique_ptr<int>> ch(std::size_t{1} << 60);
  for (int i = 0; i < 100; ++i) ch.send(std::make_unique<int>(i));
  REQUIRE(ch.size() == 100);
  ch.close();
  int expected = 0;
  for (auto& p : ch) REQUIRE(*p == expected++);
  REQUIRE(expected == 100);
}

TEST_CASE("select: waits on channels of different types at once", "[channel]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Channel<int> numbers(0);
  sy::Channel<std::string> words(2);
  constexpr int kEach = 200;
  auto number_sender = std::thread([&] {
    for (int i = 0; i < kEach; ++i) numbers.send(i);
    numbers.close();
  });
  auto word_sender = rt.spawn(
      "words",
      [&] {
        for (int i = 0; i < kEach; ++i) words.send(std::to_string(i));
        words.close();
      },
      sy::on(sy::Placement::blocking));
  const sy::Placement where = GENERATE(sy::Placement::fiber, sy::Placement::cpu);
  auto selector = rt.spawn(
      "selector",
      [&] {
        int got_numbers = 0;
        int got_words = 0;
        bool numbers_done = false;
        bool words_done = false;
        while (!numbers_done || !words_done) {
          std::optional<int> n;
          std::optional<std::string> w;
          auto which = numbers_done ? sy::select(sy::receive_into(words, w))
                       : words_done
                           ? sy::select(sy::receive_into(numbers, n))
                           : sy::select(sy::receive_into(numbers, n), sy::receive_into(words, w));
          const bool is_number = !numbers_done && (words_done || *which == 0);
          if (is_number) {
            if (n) {
              ++got_numbers;
            } else {
              numbers_done = true;
            }
          } else if (w) {
            ++got_words;
          } else {
            words_done = true;
          }
        }
        return got_numbers * 1000 + got_words;
      },
      sy::on(where));
  REQUIRE(selector.get() == kEach * 1000 + kEach);
  number_sender.join();
  word_sender.get();
  if (where == sy::Placement::cpu) {
    // No sender at all: the deadline ends it.
    sy::Channel<int> a(0);
    sy::Channel<double> b(0);
    std::optional<int> x;
    std::optional<double> y;
    REQUIRE_FALSE(sy::select(20ms, sy::receive_into(a, x), sy::receive_into(b, y)));
  }
}

TEST_CASE("select: a send case on a rendezvous channel meets a receiver, waiting or arriving",
          "[channel]") {
  sy::Runtime rt(sy::test::sync_config());
  const sy::Placement where = GENERATE(sy::Placement::fiber, sy::Placement::cpu);
  CAPTURE(sy::to_string(where));
  sy::Channel<std::string> ch(0);
  // The receiver arrives after the select waits.
  auto sender = rt.spawn(
      "select-sender",
      [&] {
        std::string v = "first";
        const auto which = sy::select(sy::send_to(ch, v));
        return which && *which == 0 && v.empty();
      },
      sy::on(where));
  std::this_thread::sleep_for(5ms);
  REQUIRE(ch.receive() == "first");
  REQUIRE(sender.get());
  // The receiver waits before the select comes.
  auto receiver = rt.spawn(
      "select-receiver", [&] { return ch.receive(); }, sy::on(where));
  std::this_thread::sleep_for(5ms);
  std::string v = "second";
  REQUIRE(sy::select(sy::send_to(ch, v)) == 0);
  REQUIRE(receiver.get() == "second");
}

TEST_CASE("select: send and receive cases together, the first that can go ahead wins",
          "[channel]") {
  sy::Channel<int> out(1);
  sy::Channel<int> in(1);
  std::optional<int> got;
  int v = 7;
  // Both can go ahead: the first in order does, the other is untouched.
  in.send(1);
  REQUIRE(sy::select(sy::send_to(out, v), sy::receive_into(in, got)) == 0);
  REQUIRE(out.try_receive() == 7);
  REQUIRE_FALSE(got);
  REQUIRE(sy::select(sy::receive_into(in, got), sy::send_to(out, v)) == 0);
  REQUIRE(got == 1);
  REQUIRE(out.size() == 0);
  // Only the send can: the buffer has room.
  got.reset();
  v = 8;
  REQUIRE(sy::select(sy::receive_into(in, got), sy::send_to(out, v)) == 1);
  REQUIRE(out.try_receive() == 8);
  // Neither can: the deadline passes, the value stays.
  out.send(0);
  v = 9;
  REQUIRE_FALSE(sy::select(20ms, sy::receive_into(in, got), sy::send_to(out, v)));
  REQUIRE(v == 9);
  REQUIRE_FALSE(got);
  // A send and a receive on one channel: a buffered value is taken by the receive case.
  sy::Channel<int> same(1);
  same.send(3);
  v = 4;
  REQUIRE(sy::select(sy::send_to(same, v), sy::receive_into(same, got)) == 1);
  REQUIRE(got == 3);
  REQUIRE(v == 4);
}

TEST_CASE("select: a waiting send case is taken by a receiver, the receive case by a sender",
          "[channel]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Channel<int> out(0);
  sy::Channel<int> in(0);
  for (const bool receiver_comes : {true, false}) {
    CAPTURE(receiver_comes);
    auto selector = rt.spawn("mixed-select", [&] {
      std::optional<int> got;
      int v = 11;
      const auto which = sy::select(sy::send_to(out, v), sy::receive_into(in, got));
      return *which == 0 ? 100 : *got;
    });
    std::this_thread::sleep_for(5ms);
    if (receiver_comes) {
      REQUIRE(out.receive() == 11);
      REQUIRE(selector.get() == 100);
    } else {
      in.send(12);
      REQUIRE(selector.get() == 12);
    }
  }
}

TEST_CASE("select: a send case on a closed channel throws ChannelClosed", "[channel]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Channel<int> open(0);
  sy::Channel<int> closed(0);
  closed.close();
  std::optional<int> got;
  int v = 5;
  REQUIRE_THROWS_AS(sy::select(sy::receive_into(open, got), sy::send_to(closed, v)),
                    sy::ChannelClosed);
  REQUIRE(v == 5);
  // Closed while the select waits.
  sy::Channel<int> closing(0);
  auto selector = rt.spawn("closing-select", [&] {
    int w = 6;
    try {
      (void)sy::select(sy::receive_into(open, got), sy::send_to(closing, w));
    } catch (const sy::ChannelClosed& e) {
      return w == 6 && std::string(e.what()).find("send case 1") != std::string::npos;
    }
    return false;
  });
  std::this_thread::sleep_for(5ms);
  closing.close();
  REQUIRE(selector.get());
}

TEST_CASE("select: a send case waits until its deadline or its task's cancellation", "[channel]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Channel<int> full(1);
  full.send(0);
  auto timed = rt.spawn("timed-select", [&] {
    int v = 1;
    return !sy::select(10ms, sy::send_to(full, v)) && v == 1;
  });
  REQUIRE(timed.get());
  auto waiting = rt.spawn("cancelled-select", [&] {
    int v = 1;
    (void)sy::select(sy::send_to(full, v));
  });
  std::this_thread::sleep_for(5ms);
  waiting.cancel();
  REQUIRE_THROWS_AS(waiting.get(), sy::TaskCancelled);
  REQUIRE(full.size() == 1);
}
