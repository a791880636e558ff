// TopologySummary: a Topology as a report keeps it.
#include <switchyard/topology_summary.hpp>

namespace switchyard {

TopologySummary TopologySummary::of(const Topology& topology) {
  return {topology.cpu_model(),  topology.packages(),         topology.numa_nodes(),
          topology.core_count(), topology.hardware_threads(), topology.source(),
          topology.caches()};
}

}  // namespace switchyard
