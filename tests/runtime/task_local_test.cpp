#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"
#include "task/task.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

constexpr sy::Placement kPlacements[] = {sy::Placement::fiber, sy::Placement::cpu,
                                         sy::Placement::blocking};

// Counted counts its constructions and destructions.
struct Counted {
  static inline std::atomic<int> made{0};
  static inline std::atomic<int> destroyed{0};
  Counted() { made.fetch_add(1); }
  ~Counted() { destroyed.fetch_add(1); }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  int value = 0;
};

// values_held() is how many TaskLocal values the calling task holds.
std::size_t values_held() {
  const sy::detail::Task* t = sy::detail::Task::current();
  return t != nullptr && t->locals ? t->locals->size() : 0;
}

// Reopener's destructor reads a value its table does not hold yet.
struct Reopener {
  static inline sy::detail::TaskLocals* table = nullptr;
  static inline bool refused = false;
  ~Reopener() {
    try {
      (void)table->value(
          99, [](const void*) -> void* { return new int(0); },
          [](void* v) noexcept { delete static_cast<int*>(v); }, nullptr);
    } catch (const std::logic_error&) {
      refused = true;
    }
  }
};

}  // namespace

TEST_CASE("TaskLocal: each task has its own value, made on first read", "[task-local]") {
  sy::Runtime rt(sy::test::small_config());
  static const sy::TaskLocal<int> number;
  static const sy::TaskLocal<std::string> name([] { return std::string("unnamed"); });
  std::vector<sy::Future<bool>> tasks;
  for (int i = 0; i < 300; ++i) {
    tasks.push_back(rt.spawn(
        "local",
        [i] {
          const bool fresh = *number == 0 && name.get() == "unnamed";
          *number = i;
          name->assign(std::to_string(i));
          sy::this_task::sleep_for(1ms);  // others write theirs meanwhile
          return fresh && *number == i && *name == std::to_string(i);
        },
        sy::on(kPlacements[i % 3])));
  }
  for (auto& t : tasks) REQUIRE(t.get());
}

TEST_CASE("TaskLocal: the value is destroyed when the task ends, before its future resolves",
          "[task-local]") {
  sy::Runtime rt(sy::test::small_config());
  const sy::TaskLocal<Counted> local;
  const int made = Counted::made.load();
  const int destroyed = Counted::destroyed.load();
  for (const sy::Placement p : kPlacements) {
    rt.spawn(
          "local", [&] { local->value = 1; }, sy::on(p))
        .get();
  }
  REQUIRE(Counted::made.load() - made == 3);
  REQUIRE(Counted::destroyed.load() - destroyed == 3);
  // A task that fails destroys its value too; one that never reads holds none.
  auto failing = rt.spawn("failing", [&] {
    local->value = 2;
    throw std::runtime_error("failed");
  });
  REQUIRE_THROWS_WITH(failing.get(), "failed");
  REQUIRE(rt.spawn("reader", [] { return values_held(); }).get() == 0);
  REQUIRE(Counted::made.load() - made == 4);
  REQUIRE(Counted::destroyed.load() - destroyed == 4);
}

TEST_CASE("TaskLocal: the value follows the task across executors and threads", "[task-local]") {
  sy::Runtime rt(sy::test::small_config());
  const sy::TaskLocal<int> local;
  auto mover = rt.spawn("mover", [&] {
    const int* address = &local.get();
    std::set<long> threads{sy::test::thread_tid()};
    int steps = 0;
    for (int round = 0; round < 5; ++round) {
      for (const sy::Placement p : kPlacements) {
        *local = ++steps;
        sy::this_task::move_to(p);
        if (sy::this_task::placement() != p || *local != steps || &*local != address) return -1;
        sy::this_task::sleep_for(1ms);  // a wait resumes on any thread of the executor
        threads.insert(sy::test::thread_tid());
        if (*local != steps || &*local != address) return -1;
      }
    }
    return static_cast<int>(threads.size());
  });
  // The fiber workers, the cpu pool and the blocking pool are different threads.
  REQUIRE(mover.get() >= 3);
}

TEST_CASE("TaskLocal: outside a task, a read throws std::logic_error", "[task-local]") {
  const sy::TaskLocal<int> local;
  REQUIRE_THROWS_MATCHES(local.get(), std::logic_error,
                         Catch::Matchers::Message("switchyard::TaskLocal: read outside a task"));
  REQUIRE_THROWS_AS(*local, std::logic_error);
}

TEST_CASE("TaskLocal: many TaskLocals and many tasks", "[task-local]") {
  sy::Runtime rt(sy::test::small_config());
  constexpr int kLocals = 200;
  std::vector<std::unique_ptr<sy::TaskLocal<Counted>>> locals;
  for (int i = 0; i < kLocals; ++i) locals.push_back(std::make_unique<sy::TaskLocal<Counted>>());
  const int made = Counted::made.load();
  const int destroyed = Counted::destroyed.load();
  constexpr int kTasks = 400;
  std::vector<sy::Future<bool>> tasks;
  for (int t = 0; t < kTasks; ++t) {
    tasks.push_back(rt.spawn(
        "many",
        [&locals, t] {
          // Every other task reads every TaskLocal, newest first; the rest read every 50th: a
          // task holds values only for the TaskLocals it reads.
          const int stride = t % 2 == 0 ? 1 : 50;
          int read = 0;
          for (int i = kLocals - 1; i >= 0; i -= stride, ++read) {
            (*locals[static_cast<std::size_t>(i)])->value = t * kLocals + i;
          }
          if (values_held() != static_cast<std::size_t>(read)) return false;
          sy::this_task::yield();
          for (int i = kLocals - 1; i >= 0; i -= stride) {
            if ((*locals[static_cast<std::size_t>(i)])->value != t * kLocals + i) return false;
          }
          return true;
        },
        sy::on(kPlacements[t % 3])));
  }
  for (auto& t : tasks) REQUIRE(t.get());
  const int expected = kTasks / 2 * kLocals + kTasks / 2 * (kLocals / 50);
  REQUIRE(Counted::made.load() - made == expected);
  REQUIRE(Counted::destroyed.load() - destroyed == expected);
}

TEST_CASE("TaskLocal: initializers, and reads while the values are destroyed", "[task-local]") {
  sy::Runtime rt(sy::test::small_config());
  SECTION("an initializer that throws makes no value; the next read tries again") {
    std::atomic<int> calls{0};
    const sy::TaskLocal<int> flaky([&calls] {
      if (calls.fetch_add(1) == 0) throw std::runtime_error("not yet");
      return 5;
    });
    auto task = rt.spawn("flaky", [&] {
      try {
        (void)flaky.get();
        return -1;
      } catch (const std::runtime_error&) {
      }
      return values_held() == 0 ? flaky.get() : -1;
    });
    REQUIRE(task.get() == 5);
  }
  SECTION("an initializer may read other TaskLocals, and suspend") {
    const sy::TaskLocal<int> base([] { return 40; });
    const sy::TaskLocal<int> derived([&base] {
      sy::this_task::sleep_for(1ms);
      return *base + 2;
    });
    REQUIRE(rt.spawn("derived", [&] { return *derived; }).get() == 42);
  }
  SECTION("a value's destructor reads another value") {
    // Destroyed newest TaskLocal first: `last` is destroyed before `first`, and reads it.
    struct Reader {
      const sy::TaskLocal<int>* other = nullptr;
      std::atomic<int>* seen = nullptr;
      ~Reader() {
        if (other != nullptr) seen->store(**other);
      }
    };
    std::atomic<int> seen{0};
    const sy::TaskLocal<int> first;
    const sy::TaskLocal<Reader> last;
    rt.spawn("reader", [&] {
        *first = 9;
        last->other = &first;
        last->seen = &seen;
      }).get();
    REQUIRE(seen.load() == 9);
  }
}

TEST_CASE("TaskLocals: a first read while the values are destroyed throws", "[task-local]") {
  sy::detail::TaskLocals locals;
  Reopener::table = &locals;
  (void)locals.value(
      1, [](const void*) -> void* { return new Reopener; },
      [](void* v) noexcept { delete static_cast<Reopener*>(v); }, nullptr);
  locals.clear();
  REQUIRE(Reopener::refused);
  REQUIRE(locals.size() == 0);
}

namespace {

// SlowToGo takes a while to destroy, then says it is gone.
struct SlowToGo {
  std::atomic<bool>* gone = nullptr;
  ~SlowToGo() {
    if (gone == nullptr) return;
    std::this_thread::sleep_for(50ms);
    gone->store(true);
  }
};

}  // namespace

TEST_CASE("TaskLocal: a group's wait returns after its children's values are destroyed",
          "[task-local]") {
  sy::Runtime rt(sy::test::small_config());
  static const sy::TaskLocal<SlowToGo> local;
  std::atomic<bool> gone{false};
  std::atomic<bool> gone_before_wait_returned{false};
  rt.spawn("parent", [&] {
      sy::TaskGroup group(rt);
      group.spawn("child", [&] { local->gone = &gone; });
      group.wait();
      gone_before_wait_returned.store(gone.load());
    }).get();
  CHECK(gone_before_wait_returned.load());
}
