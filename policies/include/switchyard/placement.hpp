// Placement: the executors a task can run on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchyard {

// Placement names an executor. `fiber`: many cheap fibers per worker thread, for tasks that
// wait through Switchyard's own I/O and timers. `cpu`: one pinned thread per core, for CPU
// work that scales across threads. `blocking`: elastic threads, for tasks that block inside
// OS calls Switchyard cannot see. `shard`: worker processes, for registered tasks that must
// scale past what threads share or must be isolated.
enum class Placement : std::uint8_t { fiber, cpu, blocking, shard };

// all_placements lists every Placement in declaration order.
inline constexpr std::array<Placement, 4> all_placements{Placement::fiber, Placement::cpu,
                                                         Placement::blocking, Placement::shard};

// PerPlacement holds one T per Placement, indexed by it.
template <class T>
struct PerPlacement {
  std::array<T, all_placements.size()> values{};

  const T& operator[](Placement p) const noexcept { return values[static_cast<std::size_t>(p)]; }
  T& operator[](Placement p) noexcept { return values[static_cast<std::size_t>(p)]; }
  void fill(const T& value) { values.fill(value); }
};

// to_string() gives the placement's lower-case name ("fiber", "cpu", "blocking", "shard").
std::string_view to_string(Placement p) noexcept;

// parse_placement() is the inverse of to_string(); nullopt for any other text.
std::optional<Placement> parse_placement(std::string_view name) noexcept;

}  // namespace switchyard
