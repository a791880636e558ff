#include <switchyard/topology.hpp>

#include <sched.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <thread>

#include "test_support.hpp"

namespace sy = switchyard;

namespace {

std::set<unsigned> thread_affinity() {
  const auto cpus = sy::test::allowed_cpus();
  return {cpus.begin(), cpus.end()};
}

void check_consistent(const sy::Topology& topology) {
  REQUIRE(topology.core_count() >= 1);
  REQUIRE(topology.core_count() == topology.cores().size());
  const std::set<unsigned> allowed = thread_affinity();
  std::set<unsigned> seen;
  std::size_t expected_index = 0;
  for (const sy::Core& core : topology.cores()) {
    CHECK(core.index == expected_index++);
    REQUIRE_FALSE(core.pus.empty());
    CHECK(core.os_index == core.pus.front());
    for (unsigned pu : core.pus) {
      CHECK(allowed.count(pu) == 1);
      CHECK(seen.insert(pu).second);
    }
  }
  CHECK(topology.hardware_threads() == seen.size());
  CHECK(topology.numa_nodes() >= 1);
  CHECK(topology.packages() >= 1);
  CHECK_FALSE(topology.cpu_model().empty());
  CHECK_FALSE(topology.source().empty());
}

}  // namespace

TEST_CASE("Topology counts the cores the process may run on", "[topology]") {
  const sy::Topology topology = sy::Topology::discover();
  INFO("source: " << topology.source());
  check_consistent(topology);
  CHECK(topology.core_count() == sy::test::allowed_core_count());
  CHECK(topology.hardware_threads() == sy::test::allowed_cpus().size());
}

TEST_CASE("Topology from hwloc describes the caches", "[topology]") {
  const sy::Topology topology = sy::Topology::discover();
  if (topology.source().rfind("hwloc", 0) != 0) {
    WARN("hwloc unavailable, nothing to check: " << topology.source());
    return;
  }
  unsigned previous_level = 0;
  for (const sy::Cache& cache : topology.caches()) {
    CHECK(cache.level >= previous_level);
    previous_level = cache.level;
    CHECK(cache.size_bytes > 0);
    CHECK(cache.shared_by_cores >= 1);
    CHECK(cache.shared_by_cores <= topology.core_count());
    CHECK(cache.instances >= 1);
    CHECK((cache.type == "data" || cache.type == "instruction" || cache.type == "unified"));
  }
}

TEST_CASE("Topology without hwloc falls back to the affinity mask and says so", "[topology]") {
  const sy::Topology topology = sy::Topology::discover_from_affinity();
  check_consistent(topology);
  CHECK(topology.core_count() == sy::test::allowed_cpus().size());
  CHECK(topology.source().find("sched_getaffinity") != std::string::npos);
  CHECK(topology.caches().empty());
}

TEST_CASE("Topology binds the calling thread to each core", "[topology]") {
  const bool with_hwloc = GENERATE(true, false);
  const sy::Topology topology =
      with_hwloc ? sy::Topology::discover() : sy::Topology::discover_from_affinity();
  INFO("source: " << topology.source());
  // Bind a separate thread, so that the test runner's own affinity stays as it was.
  for (std::size_t core = 0; core < topology.core_count() + 1; ++core) {
    std::string error = "not run";
    std::set<unsigned> bound_to;
    std::thread([&] {
      error = topology.bind_current_thread(core);
      bound_to = thread_affinity();
    }).join();
    INFO("core " << core);
    CHECK(error.empty());
    const auto& pus = topology.cores()[core % topology.core_count()].pus;
    CHECK(bound_to == std::set<unsigned>(pus.begin(), pus.end()));
  }
}

// Run by meson under `taskset -c 0`; hidden from ordinary runs.
TEST_CASE("Topology under taskset -c 0 has one core", "[.][taskset]") {
  const auto cpus = sy::test::allowed_cpus();
  INFO("this test must run under taskset -c 0");
  REQUIRE(cpus.size() == 1);
  const sy::Topology topology = sy::Topology::discover();
  INFO("source: " << topology.source());
  CHECK(topology.core_count() == 1);
  CHECK(topology.hardware_threads() == 1);
  CHECK(topology.cores().front().os_index == cpus.front());
  CHECK(sy::Topology::discover_from_affinity().core_count() == 1);

  INFO("SWITCHYARD_PROBE names the built switchyard-probe");
  REQUIRE_FALSE(sy::test::probe_path().empty());
  const sy::test::CommandRun run = sy::test::run_probe("--json");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const auto report = nlohmann::json::parse(run.output);
  CHECK(report["topology"]["cores"] == 1);
}
