#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "core/kind_registry.hpp"
#include "shard/task_table.hpp"
#include "support.hpp"

namespace sy = switchyard;
using switchyard::detail::KindRecord;
using switchyard::detail::KindRegistry;
using switchyard::detail::TaskTable;

namespace {

const sy::Report::KindReport* find_kind(const sy::Report& r, std::string_view name) {
  const auto it = std::find_if(r.kinds.begin(), r.kinds.end(),
                               [&](const sy::Report::KindReport& k) { return k.name == name; });
  return it == r.kinds.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("kinds past the limit share one overflow kind, and every task still runs", "[kinds]") {
  constexpr std::size_t kLimit = 4096;  // KindRegistry::kMaxKinds
  constexpr std::size_t kPast = 1500;
  sy::Config config = sy::test::small_config();
  // A kind the config names stays a kind of its own even past the limit.
  config.kinds["configured late"].placement = sy::Placement::cpu;
  sy::Runtime rt(config);
  std::vector<sy::Future<std::uint64_t>> futures;
  for (std::uint64_t i = 0; i < kLimit + kPast; ++i) {
    futures.push_back(rt.spawn("item " + std::to_string(i), [i] { return i; }));
  }
  auto late = rt.spawn("configured late", [] { return sy::this_task::placement(); });
  std::uint64_t sum = 0;
  for (auto& f : futures) sum += f.get();
  const std::uint64_t n = kLimit + kPast;
  REQUIRE(sum == n * (n - 1) / 2);
  REQUIRE(late.get() == sy::Placement::cpu);

  const sy::Report r = rt.report();
  REQUIRE(r.kinds.size() == kLimit + 2);  // the limit, the configured kind, the overflow kind
  const auto* overflow = find_kind(r, "(kinds past the limit)");
  REQUIRE(overflow != nullptr);
  CHECK(overflow->spawned == kPast);
  CHECK(overflow->finished == kPast);
  CHECK(find_kind(r, "item " + std::to_string(kLimit + 10)) == nullptr);
  CHECK(find_kind(r, "configured late") != nullptr);
}

TEST_CASE("a kind name longer than the bound fails its task's future, and only it", "[kinds]") {
  sy::Runtime rt(sy::test::small_config());
  const std::string at_bound(256, 'k');
  const std::string past_bound(257, 'k');
  REQUIRE(rt.spawn(at_bound, [] { return 1; }).get() == 1);
  auto too_long = rt.spawn(past_bound, [] { return 2; });
  REQUIRE_THROWS_AS(too_long.get(), std::invalid_argument);
  // The shape of a named object's refusal (named_test.cpp), the name cut at 40 bytes.
  REQUIRE_THROWS_WITH(rt.spawn(past_bound, [] { return 2; }).get(),
                      "switchyard: a kind name may have 256 bytes at most; this one has 257: '" +
                          std::string(40, 'k') + "...'");
  REQUIRE(rt.spawn("after", [] { return 3; }).get() == 3);
}

TEST_CASE("a runtime made where another was finds its own kinds, not the other's", "[kinds]") {
  // The thread that spawns keeps the kinds it looked up lately; the second runtime lives at
  // the first one's address, and its kind of the same name has other settings.
  for (const sy::Placement placement : {sy::Placement::fiber, sy::Placement::cpu}) {
    CAPTURE(sy::to_string(placement));
    sy::Config config = sy::test::small_config();
    config.kinds["work"].placement = placement;
    sy::Runtime rt(config);
    for (int i = 0; i < 2; ++i) {
      REQUIRE(rt.spawn("work", [] { return sy::this_task::placement(); }).get() == placement);
    }
    const sy::Report r = rt.report();
    const auto* work = find_kind(r, "work");
    REQUIRE(work != nullptr);
    REQUIRE(work->finished == 2);
  }
}

TEST_CASE("a registry made in another's storage hands out only its own records", "[kinds]") {
  // The thread keeps the kinds it looked up lately. The second registry takes the first one's
  // place in memory, and makes another kind first, so its "work" is not where the first's was:
  // a lookup must not find the first's record, which is gone.
  const sy::Config config;
  const TaskTable tasks;
  alignas(KindRegistry) unsigned char storage[sizeof(KindRegistry)];
  auto* first = new (storage) KindRegistry(config, tasks, [](KindRecord&) {});
  const KindRecord* gone = &first->get("work");
  CHECK(&first->get("work") == gone);  // the cached lookup
  first->~KindRegistry();

  auto* second = new (storage) KindRegistry(config, tasks, [](KindRecord&) {});
  (void)second->get("other");
  const KindRecord* work = &second->get("work");
  std::vector<const KindRecord*> own;
  second->for_each([&own](KindRecord& k) { own.push_back(&k); });
  CHECK(own.size() == 2);
  CHECK(std::find(own.begin(), own.end(), work) != own.end());
  CHECK(work->name == "work");
  CHECK(&second->get("work") == work);
  second->~KindRegistry();
}
