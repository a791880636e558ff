#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;

namespace {

struct Stop {
  sy::Placement placement;
  long thread;  // the kernel's id
};

}  // namespace

TEST_CASE("a suspended task moves fiber -> cpu -> blocking -> fiber with its state intact",
          "[migration]") {
  sy::Runtime rt(sy::test::small_config());
  auto f = rt.spawn(
      "traveller",
      [] {
        std::vector<Stop> stops;
        std::string carried = "state";  // lives on the fiber's stack across every move
        auto record = [&] {
          stops.push_back({*sy::this_task::placement(), sy::test::thread_tid()});
          carried += "+";
        };
        record();
        for (sy::Placement p :
             {sy::Placement::cpu, sy::Placement::blocking, sy::Placement::fiber}) {
          sy::this_task::move_to(p);
          record();
        }
        return std::make_pair(stops, carried);
      },
      sy::on(sy::Placement::fiber));
  auto [stops, carried] = f.get();
  REQUIRE(carried == "state++++");
  REQUIRE(stops.size() == 4);
  REQUIRE(stops[0].placement == sy::Placement::fiber);
  REQUIRE(stops[1].placement == sy::Placement::cpu);
  REQUIRE(stops[2].placement == sy::Placement::blocking);
  REQUIRE(stops[3].placement == sy::Placement::fiber);
  // Executors have disjoint threads, so each move changed the thread.
  for (std::size_t i = 1; i < stops.size(); ++i) REQUIRE(stops[i].thread != stops[i - 1].thread);

  const auto report = rt.report();
  REQUIRE(report.kinds.size() == 1);
  REQUIRE(report.kinds[0].task_migrations == 3);
}

TEST_CASE("move_to outside a task and into a shard are errors", "[migration]") {
  REQUIRE_THROWS_AS(sy::this_task::move_to(sy::Placement::cpu), std::logic_error);
  sy::Runtime rt(sy::test::small_config());
  auto f = rt.spawn("bad", [] { sy::this_task::move_to(sy::Placement::shard); });
  REQUIRE_THROWS_AS(f.get(), std::invalid_argument);
}
