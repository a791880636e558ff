// MachineModel: what placing work costs on this machine, as the policies read it.
#pragma once

#include <switchyard/machine_signature.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace switchyard {

// FigureSource: where a calibrated figure came from.
enum class FigureSource {
  not_measured,  // no value: nothing measured it (yet), Figure::note says why
  measured,      // measured by this process
  cached,        // read from the calibration cache, measured earlier on the same signature
};

// to_string() spells a source as reports do: "not-measured", "measured", "cached". Never
// blocks; any thread.
std::string_view to_string(FigureSource source) noexcept;

// Figure: one calibrated cost. `value` is empty exactly when `source` is not_measured, so a
// policy can never mistake a missing figure for a number: it must say what it assumes instead.
struct Figure {
  std::optional<double> value;
  FigureSource source = FigureSource::not_measured;
  std::string note;  // why there is no value, or how the value was measured; may be empty

  // measured() is a figure measured now. Never blocks; any thread.
  static Figure measured(double value, std::string note = {});
  // missing() is a figure nobody measured, and why. Never blocks; any thread.
  static Figure missing(std::string why);
};

// MachineModel: the calibrated costs the policies weigh placements by. Plain data; copy it
// freely; any thread may read it. Every figure's unit is in its name. probes/ has no
// executors, so cpu_pool_handoff_ns and blocking_pool_handoff_ns stay not_measured unless a
// Measure (calibration.hpp) gives them, as the runtime's calibrate() does.
struct MachineModel {
  MachineSignature signature;
  Figure fiber_switch_ns;                 // one Boost.Fiber yield from one fiber to another
  Figure fiber_spawn_join_ns;             // start a Boost.Fiber and join it, on one thread
  Figure cpu_pool_handoff_ns;             // submit to the CPU pool and get the result back
  Figure blocking_pool_handoff_ns;        // submit to the blocking pool and get it back
  Figure process_round_trip_ns;           // 1-byte ping-pong with another process
  Figure serialize_ns_per_byte;           // framing a message for a shard, per byte
  Figure syscall_ns;                      // one cheap system call (getppid)
  Figure spin_iters_per_second_per_core;  // the BENCHMARKS.md spin kernel on one core
  // calibration_ms is how long measuring took when the figures were measured (0 if never).
  double calibration_ms = 0;
};

// FigureField: one figure of MachineModel, for code that walks them all (the cache, reports).
struct FigureField {
  std::string_view name;     // the member's name, also its JSON key: "fiber_switch_ns"
  std::string_view unit;     // "ns", "ns/B" or "iter/s"
  std::string_view meaning;  // one line for reports
  Figure MachineModel::*member;
};

// figure_fields() lists every figure of MachineModel in declaration order. Never blocks; any
// thread.
std::span<const FigureField> figure_fields() noexcept;

// find_figure_field() is the field called `name`, or nullptr. Never blocks; any thread.
const FigureField* find_figure_field(std::string_view name) noexcept;

}  // namespace switchyard
