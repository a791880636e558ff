// Config limits: the largest config the loader reads and the largest values it accepts, so a
// careless or hostile file costs bounded time and memory and cannot overflow the runtime.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace switchyard {

// kMaxConfigBytes bounds a config file, and the text Config::from_string() takes. The example
// file is 8 KiB, and 10,000 [kinds.*] tables of a few keys each take about 600 KiB; at about a
// second per MiB for toml++ to parse here, 1 MiB also bounds the time a file can take.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;

// kMaxConfigKeyBytes bounds one segment of a key as written: a kind name is the longest key
// there is, and 256 bytes leaves room for a qualified function name.
inline constexpr std::size_t kMaxConfigKeyBytes = 256;

// kMaxConfigNesting bounds how deep a config nests, counting one level per key segment (also
// those of the [table] header above a key), per array and per inline table. The deepest key of
// the schema is three levels down (kinds.NAME.placement); toml++ recurses once per level after
// parsing and crashes some tens of thousands of levels down, and at 32 never comes near.
inline constexpr int kMaxConfigNesting = 32;

// kMaxConfigKinds bounds the [kinds.*] tables of one config: far more kinds than a program
// names in source, few enough that loading them all takes well under a second.
inline constexpr std::size_t kMaxConfigKinds = 10'000;

// kMaxShards is the most process shards a runtime starts (executors.shards): the shard
// transport tells its shards apart by a 16-bit tag, some of whose values it keeps for itself.
inline constexpr std::uint32_t kMaxShards = 65'533;

// kMaxStallThreshold bounds executors.stall_threshold_us: a task that holds a fiber worker for
// a day is stuck by any measure, and watchdog = false turns the watchdog off.
inline constexpr std::chrono::microseconds kMaxStallThreshold = std::chrono::hours(24);

// kMaxBlockingIdle bounds executors.blocking_idle_ms: an idle thread kept for a day is kept
// for good; blocking_min = blocking_max keeps the pool's threads for good.
inline constexpr std::chrono::milliseconds kMaxBlockingIdle = std::chrono::hours(24);

// kMaxShutdownGrace bounds executors.shutdown_grace_ms: a day lets the longest batch task
// finish, and shutdown still waits, past any grace, for tasks running user code.
inline constexpr std::chrono::milliseconds kMaxShutdownGrace = std::chrono::hours(24);

// kMaxMetricsAddressBytes bounds profiling.metrics, "host:port": a DNS name is at most 253
// bytes, and a port five digits.
inline constexpr std::size_t kMaxMetricsAddressBytes = 260;

}  // namespace switchyard
