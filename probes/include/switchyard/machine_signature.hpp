// MachineSignature: what identifies a machine for the calibration cache.
#pragma once

#include <cstddef>
#include <string>

namespace switchyard {

class Topology;

// MachineSignature: the facts that, when any of them changes, make calibrated figures stale:
// the processor, how many cores and hardware threads the process may use, the kernel, and the
// Switchyard version that measured them. Plain data; any thread may read it.
struct MachineSignature {
  std::string cpu_model;
  std::size_t cores = 0;
  std::size_t hardware_threads = 0;
  std::string kernel_release;      // uname().release
  std::string switchyard_version;  // given by the caller, e.g. "0.1.0"

  // of() is this machine's signature: the topology's CPU model and counts, and uname()'s
  // release. One system call; never blocks otherwise; any thread.
  static MachineSignature of(const Topology& topology, std::string switchyard_version);

  // differences() names each fact that differs from `other`, as "name other -> this"
  // ("kernel_release 6.1.0 -> 6.2.0"), separated by "; ", or is empty when they are equal.
  // Never blocks; any thread.
  std::string differences(const MachineSignature& other) const;

  bool operator==(const MachineSignature&) const = default;
};

}  // namespace switchyard
