#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// listed() is the report's entry for the object named `name`; nullopt when it has none.
std::optional<sy::Report::SyncObjectReport> listed(const sy::Report& r, const std::string& name) {
  for (const auto& o : r.sync_objects) {
    if (o.name == name) return o;
  }
  return std::nullopt;
}

// until_listed() runs `round` until rt's report lists `name` with `queue` waits under way at
// once or more, for a minute at most, and returns the last report. A round lets tasks come to
// their waits on the object and then releases it; the report lists an object once a task's
// wait on it has ended. A task that the machine held back past the release takes what it
// wanted without waiting, and its round shows nothing: the next one tries again.
sy::Report until_listed(sy::Runtime& rt, const std::string& name, std::uint64_t queue,
                        const std::function<void()>& round) {
  const auto give_up = std::chrono::steady_clock::now() + 1min;
  for (;;) {
    round();
    sy::Report r = rt.report();
    const auto o = listed(r, name);
    if ((o && o->longest_queue >= queue) || std::chrono::steady_clock::now() >= give_up) return r;
  }
}

// waited() spawns a task that calls wait(), gives it 20 ms once it has set out to wait, calls
// release() and joins the task.
void waited(sy::Runtime& rt, const std::function<void()>& wait,
            const std::function<void()>& release) {
  sy::Latch set_out(1);
  auto f = rt.spawn("waiter", [&] {
    set_out.count_down();
    wait();
  });
  set_out.wait();
  std::this_thread::sleep_for(20ms);
  release();
  f.get();
}

}  // namespace

TEST_CASE("a named Mutex contended by tasks reports its waits; an unnamed one is not listed",
          "[named]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Mutex accounts("accounts");
  sy::Mutex anonymous;
  constexpr int kTasks = 8;
  int rounds = 0;
  // Both held while the contenders come to them: two waiting at once make a queue of 2.
  const sy::Report r = until_listed(rt, "accounts", 2, [&] {
    ++rounds;
    sy::Latch set_out(kTasks);
    std::vector<sy::Future<void>> fs;
    {
      std::lock_guard held(accounts);
      std::lock_guard also_held(anonymous);
      for (int i = 0; i < kTasks; ++i) {
        fs.push_back(rt.spawn("contender", [&] {
          set_out.count_down();
          std::lock_guard lk(accounts);
          std::lock_guard other(anonymous);
        }));
      }
      set_out.wait();
      std::this_thread::sleep_for(20ms);
    }
    for (auto& f : fs) f.get();
  });
  REQUIRE(r.sync_objects.size() == 1);
  const auto o = listed(r, "accounts");
  REQUIRE(o);
  CAPTURE(rounds, o->waits, o->wait_time.count(), o->longest_queue);
  REQUIRE(o->type == "Mutex");
  REQUIRE(o->waits > 0);
  // A waiter woken that loses the race waits on in the same wait.
  REQUIRE(o->waits <= std::uint64_t{kTasks} * static_cast<std::uint64_t>(rounds));
  REQUIRE(o->longest_queue >= 2);
  REQUIRE(o->wait_time > 0ns);
  // In the text and the JSON, and back.
  std::ostringstream text;
  r.print(text);
  REQUIRE_THAT(text.str(), Catch::Contains("accounts") && Catch::Contains("Mutex"));
  const sy::Report back = sy::Report::from_json(r.to_json());
  REQUIRE(back.sync_objects.size() == 1);
  REQUIRE(back.sync_objects[0].waits == o->waits);
  REQUIRE(back.sync_objects[0].wait_time == o->wait_time);
  REQUIRE(back.sync_objects[0].longest_queue == o->longest_queue);
}

TEST_CASE("every named primitive reports the waits of the tasks that waited on it", "[named]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::SharedMutex shared("shared");
  sy::Mutex cv_mutex;
  sy::ConditionVariable cv("cv");
  sy::Semaphore semaphore(0, "semaphore");
  sy::Event event("event");
  sy::Channel<int> channel(0, "channel");
  sy::Channel<int> selected(sy::unbounded);
  selected.set_name("selected");
  bool ready = false;  // guarded by cv_mutex
  struct Case {
    std::string name;
    std::string type;
    std::function<void()> round;  // a task waits on the object, which is then released
  };
  const std::vector<Case> cases{
      {"shared", "SharedMutex",
       [&] {
         shared.lock();
         waited(
             rt, [&] { std::shared_lock lk(shared); }, [&] { shared.unlock(); });
       }},
      {"cv", "ConditionVariable",
       [&] {
         {
           std::lock_guard lk(cv_mutex);
           ready = false;
         }
         waited(
             rt,
             [&] {
               std::unique_lock lk(cv_mutex);
               cv.wait(lk, [&] { return ready; });
             },
             [&] {
               {
                 std::lock_guard lk(cv_mutex);
                 ready = true;
               }
               cv.notify_all();
             });
       }},
      {"semaphore", "Semaphore",
       [&] {
         waited(
             rt, [&] { semaphore.acquire(); }, [&] { semaphore.release(); });
       }},
      // A latch opens once: each round has its own, listed only if a task waited on it.
      {"latch", "Latch",
       [&] {
         sy::Latch latch(1, "latch");
         waited(
             rt, [&] { latch.wait(); }, [&] { latch.count_down(); });
       }},
      {"event", "Event",
       [&] {
         event.reset();
         waited(
             rt, [&] { event.wait(); }, [&] { event.set(); });
       }},
      {"channel", "Channel",
       [&] {
         waited(
             rt, [&] { (void)channel.receive(); }, [&] { channel.send(1); });
       }},
      {"selected", "Channel",
       [&] {
         waited(
             rt,
             [&] {
               std::optional<int> x;
               (void)sy::select(sy::receive_into(selected, x));
             },
             [&] { selected.send(2); });
       }},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const auto o = listed(until_listed(rt, c.name, 1, c.round), c.name);
    REQUIRE(o);
    REQUIRE(o->type == c.type);
    REQUIRE(o->waits >= 1);
    REQUIRE(o->wait_time > 0ns);
    REQUIRE(o->longest_queue >= 1);
  }
  const sy::Report r = rt.report();
  REQUIRE(r.sync_objects.size() == 7);
  REQUIRE(r.sync_objects_unlisted == 0);
}

TEST_CASE("a named object outlives itself in the reports; threads' waits join no report",
          "[named]") {
  sy::Runtime rt(sy::test::sync_config());
  {
    sy::Event gone("gone");
    auto f = rt.spawn("waiter", [&] { (void)gone.wait_for(100ms); });
    f.get();
  }
  // Only a thread waits on this one: no runtime's tasks did.
  sy::Event threads_only("threads only");
  REQUIRE_FALSE(threads_only.wait_for(2ms));
  const sy::Report r = rt.report();
  REQUIRE(listed(r, "gone"));
  REQUIRE(listed(r, "gone")->waits == 1);
  REQUIRE_FALSE(listed(r, "threads only"));
}

TEST_CASE("a named object waited on by two runtimes' tasks is in both reports", "[named]") {
  sy::Runtime first(sy::test::sync_config());
  sy::Runtime second(sy::test::sync_config());
  sy::Event event("shared event");
  for (int round = 0; round < 2; ++round) {
    first.spawn("a", [&] { (void)event.wait_for(100ms); }).get();
    second.spawn("b", [&] { (void)event.wait_for(100ms); }).get();
  }
  for (sy::Runtime* rt : {&first, &second}) {
    const auto o = listed(rt->report(), "shared event");
    REQUIRE(o);
    REQUIRE(o->waits == 4);  // the object's waits, whichever runtime's
  }
}

TEST_CASE("a name is bounded: 256 bytes are taken, 257 refused with the reason", "[named]") {
  const std::string at_bound(256, 'n');
  const std::string past_bound(257, 'n');
  REQUIRE_NOTHROW(sy::Mutex(at_bound));
  // The shape of a kind name's refusal (kinds_test.cpp), the name cut at 40 bytes.
  REQUIRE_THROWS_WITH(sy::Mutex(past_bound),
                      "switchyard::Mutex: a name may have 256 bytes at most; this one has 257: '" +
                          std::string(40, 'n') + "...'");
  sy::Channel<int> channel(1);
  REQUIRE_NOTHROW(channel.set_name(at_bound));
  REQUIRE_THROWS_AS(channel.set_name(past_bound), std::invalid_argument);
  REQUIRE_THROWS_WITH(sy::Semaphore(1, past_bound), Catch::Contains("switchyard::Semaphore"));
  REQUIRE_THROWS_WITH(sy::Latch(1, past_bound), Catch::Contains("switchyard::Latch"));
  REQUIRE_THROWS_WITH(sy::Event(past_bound), Catch::Contains("switchyard::Event"));
  REQUIRE_THROWS_WITH(sy::SharedMutex(past_bound), Catch::Contains("switchyard::SharedMutex"));
  REQUIRE_THROWS_WITH(sy::ConditionVariable(past_bound),
                      Catch::Contains("switchyard::ConditionVariable"));
  // The refused name left the channel as it was: still usable, still named at the bound.
  channel.send(1);
  REQUIRE(channel.receive() == 1);
}

TEST_CASE("a runtime lists 4,096 named objects and counts the ones past them", "[named]") {
  sy::Runtime rt(sy::test::sync_config());
  auto wait_on = [&](std::size_t from, std::size_t to) {
    std::vector<std::unique_ptr<sy::Event>> events;
    std::vector<sy::Future<void>> fs;
    for (std::size_t i = from; i < to; ++i) {
      events.push_back(std::make_unique<sy::Event>("event " + std::to_string(i)));
      // Long enough that each waiter waits, however slowly it comes to its wait (the check
      // of its deadline comes first): an object joins its runtime's list by a wait.
      fs.push_back(rt.spawn("waiter", [e = events.back().get()] { (void)e->wait_for(100ms); }));
    }
    for (auto& f : fs) f.get();
  };
  wait_on(0, 4096);
  sy::Report r = rt.report();
  REQUIRE(r.sync_objects.size() == 4096);
  REQUIRE(r.sync_objects_unlisted == 0);
  wait_on(4096, 4100);
  r = rt.report();
  REQUIRE(r.sync_objects.size() == 4096);
  REQUIRE(r.sync_objects_unlisted == 4);
  std::ostringstream text;
  r.print(text);
  REQUIRE_THAT(text.str(), Catch::Contains("4 more named objects"));
}

TEST_CASE("a select naming one channel in two cases counts one wait on it", "[named]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Channel<int> channel(0, "twice");
  rt.spawn("selector", [&] {
      std::optional<int> a;
      std::optional<int> b;
      // Nobody sends: the select waits on the channel, once, until its deadline.
      (void)sy::select(sy::Deadline(100ms), sy::receive_into(channel, a),
                       sy::receive_into(channel, b));
    }).get();
  const auto o = listed(rt.report(), "twice");
  REQUIRE(o);
  CHECK(o->waits == 1);
  CHECK(o->longest_queue == 1);
}
