// TopologySummary: what a run's report and switchyard-probe say about the machine.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <switchyard/topology.hpp>

namespace switchyard {

// TopologySummary is a Topology's counts, caches and provenance, without its per-core list
// and without hwloc: plain data that a report keeps and reads back. Its JSON writer is in
// topology_json.hpp.
struct TopologySummary {
  std::string cpu_model;
  std::size_t packages = 0;
  std::size_t numa_nodes = 0;
  std::size_t cores = 0;
  std::size_t hardware_threads = 0;
  std::string topology_source;  // what the topology came from (hwloc, or the fallback and why)
  std::vector<Cache> caches;

  // of() summarizes `topology`. Never blocks; any thread.
  static TopologySummary of(const Topology& topology);
};

}  // namespace switchyard
