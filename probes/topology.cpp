// Topology from hwloc, with a sched_getaffinity()/sysconf() fallback. hwloc lives only in
// this file.
#include <switchyard/topology.hpp>

#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>

namespace switchyard {

struct Topology::Impl {
  std::vector<Core> cores;
  std::vector<Cache> caches;
  std::size_t hardware_threads = 0;
  std::size_t numa_nodes = 1;
  std::size_t packages = 1;
  std::string cpu_model = "unknown";
  std::string source;
  // Kept loaded for bind_current_thread(); null in the fallback, which binds with
  // pthread_setaffinity_np() instead.
  hwloc_topology_t hwloc = nullptr;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    if (hwloc != nullptr) hwloc_topology_destroy(hwloc);
  }
};

namespace {

std::string errno_message(int err) {
  return std::system_category().message(err);
}

std::string model_from_proc_cpuinfo() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto start = line.find_first_not_of(" \t", colon + 1);
    if (start != std::string::npos) return line.substr(start);
  }
  return "unknown";
}

std::size_t count_distinct(const std::vector<Core>& cores, unsigned Core::*field) {
  std::set<unsigned> seen;
  for (const Core& core : cores) seen.insert(core.*field);
  return std::max<std::size_t>(1, seen.size());
}

void summarize(Topology::Impl& impl) {
  impl.hardware_threads = 0;
  for (const Core& core : impl.cores) impl.hardware_threads += core.pus.size();
  impl.numa_nodes = count_distinct(impl.cores, &Core::numa_node);
  impl.packages = count_distinct(impl.cores, &Core::package);
}

const char* cache_type_name(hwloc_obj_cache_type_e type) {
  switch (type) {
    case HWLOC_OBJ_CACHE_DATA:
      return "data";
    case HWLOC_OBJ_CACHE_INSTRUCTION:
      return "instruction";
    case HWLOC_OBJ_CACHE_UNIFIED:
      break;
  }
  return "unified";
}

std::vector<Cache> hwloc_caches(hwloc_topology_t topo, hwloc_obj_type_t core_type) {
  std::vector<Cache> caches;
  const int depth_count = hwloc_topology_get_depth(topo);
  for (int depth = 0; depth < depth_count; ++depth) {
    if (hwloc_obj_type_is_cache(hwloc_get_depth_type(topo, depth)) == 0) continue;
    // One instance stands for its level: hwloc puts differently sized caches (hybrid
    // CPUs) at the same depth, which this summary accepts as a simplification.
    const hwloc_obj_t first = hwloc_get_obj_by_depth(topo, depth, 0);
    if (first == nullptr || first->attr == nullptr) continue;
    Cache cache;
    cache.level = first->attr->cache.depth;
    cache.size_bytes = first->attr->cache.size;
    cache.line_bytes = first->attr->cache.linesize;
    cache.type = cache_type_name(first->attr->cache.type);
    cache.instances = hwloc_get_nbobjs_by_depth(topo, depth);
    const int sharing = hwloc_get_nbobjs_inside_cpuset_by_type(topo, first->cpuset, core_type);
    cache.shared_by_cores = sharing > 0 ? static_cast<std::size_t>(sharing) : 1;
    caches.push_back(std::move(cache));
  }
  std::sort(caches.begin(), caches.end(), [](const Cache& a, const Cache& b) {
    return std::tie(a.level, a.type) < std::tie(b.level, b.type);
  });
  return caches;
}

unsigned numa_node_of(hwloc_topology_t topo, hwloc_const_cpuset_t cpuset) {
  for (hwloc_obj_t node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, nullptr);
       node != nullptr; node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node)) {
    if (hwloc_bitmap_isincluded(cpuset, node->cpuset) != 0) return node->logical_index;
  }
  return 0;
}

std::string hwloc_cpu_model(hwloc_topology_t topo) {
  const hwloc_obj_t package = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PACKAGE, nullptr);
  for (hwloc_obj_t obj : {package, hwloc_get_root_obj(topo)}) {
    if (obj == nullptr) continue;
    if (const char* model = hwloc_obj_get_info_by_name(obj, "CPUModel")) return model;
  }
  return model_from_proc_cpuinfo();
}

// from_hwloc() returns null and sets `why` when hwloc cannot describe the machine.
std::shared_ptr<Topology::Impl> from_hwloc(std::string& why) {
  auto impl = std::make_shared<Topology::Impl>();
  if (hwloc_topology_init(&impl->hwloc) != 0) {
    impl->hwloc = nullptr;
    why = "hwloc_topology_init failed: " + errno_message(errno);
    return nullptr;
  }
  const hwloc_topology_t topo = impl->hwloc;
  // hwloc leaves out only what cgroups forbid; the process binding (taskset, a parent's
  // pinning) has to be asked for, or a restricted process would plan for cores it cannot use.
  if (hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM |
                                         HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING) != 0) {
    why = "hwloc_topology_set_flags failed: " + errno_message(errno);
    return nullptr;
  }
  if (hwloc_topology_load(topo) != 0) {
    why = "hwloc_topology_load failed: " + errno_message(errno);
    return nullptr;
  }

  // Some platforms report no Core objects; their hardware threads then stand for cores.
  const hwloc_obj_type_t core_type =
      hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
  for (hwloc_obj_t obj = hwloc_get_next_obj_by_type(topo, core_type, nullptr); obj != nullptr;
       obj = hwloc_get_next_obj_by_type(topo, core_type, obj)) {
    Core core;
    for (hwloc_obj_t pu =
             hwloc_get_next_obj_inside_cpuset_by_type(topo, obj->cpuset, HWLOC_OBJ_PU, nullptr);
         pu != nullptr;
         pu = hwloc_get_next_obj_inside_cpuset_by_type(topo, obj->cpuset, HWLOC_OBJ_PU, pu)) {
      core.pus.push_back(pu->os_index);
    }
    if (core.pus.empty()) continue;
    core.index = impl->cores.size();
    core.os_index = core.pus.front();
    core.numa_node = numa_node_of(topo, obj->cpuset);
    const hwloc_obj_t package = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, obj);
    core.package = package != nullptr ? package->logical_index : 0;
    impl->cores.push_back(std::move(core));
  }
  if (impl->cores.empty()) {
    why = "hwloc found no allowed cores";
    return nullptr;
  }
  impl->caches = hwloc_caches(topo, core_type);
  impl->cpu_model = hwloc_cpu_model(topo);
  const char* version = hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo), "hwlocVersion");
  impl->source = std::string("hwloc ") + (version != nullptr ? version : "2");
  summarize(*impl);
  return impl;
}

std::shared_ptr<Topology::Impl> from_affinity(const std::string& why_not_hwloc) {
  auto impl = std::make_shared<Topology::Impl>();
  std::vector<unsigned> cpus;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &allowed)) cpus.push_back(cpu);
    }
    impl->source = "sched_getaffinity() of the calling thread, each allowed CPU counted as a core";
  } else {
    const int err = errno;
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    for (long cpu = 0; cpu < std::max(1L, online); ++cpu)
      cpus.push_back(static_cast<unsigned>(cpu));
    impl->source =
        "sysconf(_SC_NPROCESSORS_ONLN), each online CPU counted as a core "
        "(sched_getaffinity() failed: " +
        errno_message(err) + ")";
  }
  if (cpus.empty()) cpus.push_back(0);
  for (unsigned cpu : cpus) {
    Core core;
    core.index = impl->cores.size();
    core.os_index = cpu;
    core.pus = {cpu};
    impl->cores.push_back(std::move(core));
  }
  if (!why_not_hwloc.empty()) impl->source += "; hwloc not used: " + why_not_hwloc;
  impl->cpu_model = model_from_proc_cpuinfo();
  summarize(*impl);
  return impl;
}

}  // namespace

Topology::Topology(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Topology Topology::discover() {
  std::string why;
  if (auto impl = from_hwloc(why)) return Topology(std::move(impl));
  return Topology(from_affinity(why));
}

Topology Topology::discover_from_affinity() {
  return Topology(from_affinity({}));
}

const std::vector<Core>& Topology::cores() const noexcept {
  return impl_->cores;
}
std::size_t Topology::core_count() const noexcept {
  return impl_->cores.size();
}
std::size_t Topology::hardware_threads() const noexcept {
  return impl_->hardware_threads;
}
std::size_t Topology::numa_nodes() const noexcept {
  return impl_->numa_nodes;
}
std::size_t Topology::packages() const noexcept {
  return impl_->packages;
}
const std::vector<Cache>& Topology::caches() const noexcept {
  return impl_->caches;
}
const std::string& Topology::cpu_model() const noexcept {
  return impl_->cpu_model;
}
const std::string& Topology::source() const noexcept {
  return impl_->source;
}

std::string Topology::bind_current_thread(std::size_t core) const {
  const Core& target = impl_->cores[core % impl_->cores.size()];
  if (impl_->hwloc != nullptr) {
    const std::unique_ptr<hwloc_bitmap_s, void (*)(hwloc_bitmap_t)> cpuset(hwloc_bitmap_alloc(),
                                                                           hwloc_bitmap_free);
    if (cpuset == nullptr) return "hwloc_bitmap_alloc failed";
    for (unsigned pu : target.pus) hwloc_bitmap_set(cpuset.get(), pu);
    if (hwloc_set_cpubind(impl_->hwloc, cpuset.get(), HWLOC_CPUBIND_THREAD) != 0) {
      return "hwloc_set_cpubind(core " + std::to_string(target.index) +
             "): " + errno_message(errno);
    }
    return {};
  }
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  for (unsigned pu : target.pus) CPU_SET(pu, &cpus);
  if (const int err = pthread_setaffinity_np(pthread_self(), sizeof cpus, &cpus); err != 0) {
    return "pthread_setaffinity_np(core " + std::to_string(target.index) +
           "): " + errno_message(err);
  }
  return {};
}

}  // namespace switchyard
