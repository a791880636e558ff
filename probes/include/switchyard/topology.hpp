// Topology: the cores this process may run on, as hwloc sees them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace switchyard {

// Core: one physical core in the process's allowed CPU set.
struct Core {
  std::size_t index = 0;      // 0-based among the allowed cores
  unsigned os_index = 0;      // the kernel's number for the core's first hardware thread
  std::vector<unsigned> pus;  // the kernel's numbers of all its allowed hardware threads
  unsigned numa_node = 0;     // logical index of the NUMA node that holds it
  unsigned package = 0;       // logical index of its package (socket)
};

// Cache: one cache level as hwloc reports it.
struct Cache {
  unsigned level = 0;  // 1, 2, 3, ...
  std::size_t size_bytes = 0;
  std::size_t line_bytes = 0;
  std::size_t shared_by_cores = 0;  // how many allowed cores share one instance
  std::string type = "unified";     // "data", "instruction" or "unified"
  std::size_t instances = 0;        // how many instances hold allowed cores
};

// Topology: the machine's packages, NUMA nodes, cores and caches, restricted to the
// process's allowed CPU set (cgroups, taskset). Loads hwloc once at construction; cheap to
// copy (copies share the loaded topology). Thread-safe for concurrent reads and binding; the
// accessors never block.
class Topology {
 public:
  // discover() loads the topology of this machine. Blocks for a few milliseconds; call from
  // any thread. Never throws for a missing feature: falls back to sched_getaffinity() (or
  // sysconf()) and says so in source().
  static Topology discover();
  // discover_from_affinity() builds the topology from sched_getaffinity() alone, without
  // hwloc: every allowed CPU counts as one core, in one package and one NUMA node, and no
  // caches are known. discover() falls back to it; tests call it to exercise that path.
  // Cheap; call from any thread.
  static Topology discover_from_affinity();

  // cores() lists the allowed cores in order.
  const std::vector<Core>& cores() const noexcept;
  // core_count() is cores().size(), at least 1.
  std::size_t core_count() const noexcept;
  // hardware_threads() counts the allowed hardware threads.
  std::size_t hardware_threads() const noexcept;
  // numa_nodes() counts the NUMA nodes that hold allowed cores (memory-only nodes are left
  // out: nothing can be pinned to them), at least 1.
  std::size_t numa_nodes() const noexcept;
  // packages() counts the packages (sockets) that hold allowed cores, at least 1.
  std::size_t packages() const noexcept;
  // caches() lists one entry per cache level and type, from L1 outwards; empty when the
  // source cannot tell.
  const std::vector<Cache>& caches() const noexcept;
  // cpu_model() is the processor's model string, or "unknown".
  const std::string& cpu_model() const noexcept;
  // source() says where the data came from ("hwloc 2.9.0", or the fallback and why).
  const std::string& source() const noexcept;

  // bind_current_thread() pins the calling thread to core `core` (modulo core_count()).
  // Returns an empty string on success, else why it could not (binding is best effort).
  // Call it from the thread to pin; it blocks only for one system call.
  std::string bind_current_thread(std::size_t core) const;

  struct Impl;

 private:
  explicit Topology(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace switchyard
