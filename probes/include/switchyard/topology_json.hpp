// Topology parts as JSON, written the same way by the runtime's report and by
// switchyard-probe --json. Templated on the nlohmann JSON type, as machine_model_json.hpp is.
// Include <nlohmann/json.hpp> before using them.
#pragma once

#include <switchyard/topology.hpp>
#include <switchyard/topology_summary.hpp>

namespace switchyard {

// to_json() writes a cache level as {"level", "type", "size_bytes", "line_bytes",
// "shared_by_cores", "instances"}; nlohmann finds it by argument-dependent lookup, so
// `Json caches = topology.caches();` works. Never blocks; any thread.
template <class Json>
void to_json(Json& json, const Cache& cache) {
  json = Json{{"level", cache.level},
              {"type", cache.type},
              {"size_bytes", cache.size_bytes},
              {"line_bytes", cache.line_bytes},
              {"shared_by_cores", cache.shared_by_cores},
              {"instances", cache.instances}};
}

// to_json() writes the machine as {"cpu_model", "packages", "numa_nodes", "cores",
// "hardware_threads", "topology_source", "caches"}: a report's `machine` (docs/report.md) and
// switchyard-probe's `topology` (docs/probe.md), which adds the per-core list. Never blocks;
// any thread.
template <class Json>
void to_json(Json& json, const TopologySummary& machine) {
  json = Json{{"cpu_model", machine.cpu_model},
              {"packages", machine.packages},
              {"numa_nodes", machine.numa_nodes},
              {"cores", machine.cores},
              {"hardware_threads", machine.hardware_threads},
              {"topology_source", machine.topology_source},
              {"caches", machine.caches}};
}

}  // namespace switchyard
