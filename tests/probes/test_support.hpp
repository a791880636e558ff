// Helpers shared by the probes tests: the calling thread's affinity as the kernel reports it,
// and running the built switchyard-probe.
#pragma once

#include <sched.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "../command_run.hpp"

namespace switchyard::test {

// allowed_cpus() lists the CPUs the calling thread may run on, from sched_getaffinity().
inline std::vector<unsigned> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<unsigned> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (unsigned cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

// allowed_core_count() counts the distinct physical cores among allowed_cpus(), from sysfs,
// independently of hwloc. A CPU whose sysfs entries are missing counts as its own core.
inline std::size_t allowed_core_count() {
  std::set<std::pair<long, long>> cores;
  for (unsigned cpu : allowed_cpus()) {
    const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
    long package = -1;
    long core = -1;
    std::ifstream(dir + "physical_package_id") >> package;
    std::ifstream(dir + "core_id") >> core;
    if (package < 0 || core < 0) {
      cores.emplace(-1, static_cast<long>(cpu));
    } else {
      cores.emplace(package, core);
    }
  }
  return cores.size();
}

// probe_path() is the built switchyard-probe, which meson passes in SWITCHYARD_PROBE.
inline std::string probe_path() {
  const char* path = std::getenv("SWITCHYARD_PROBE");
  return path != nullptr ? path : "";
}

// run_probe() runs switchyard-probe with `arguments` (already shell-quoted), with
// `environment` ("NAME=value ...") in front. Blocks until it exits.
inline CommandRun run_probe(const std::string& arguments, const std::string& environment = "") {
  return run_command(environment + " '" + probe_path() + "' " + arguments);
}

}  // namespace switchyard::test
