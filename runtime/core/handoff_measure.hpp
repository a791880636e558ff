// Hand-off measures: the calibration figures only a running runtime can measure.
#pragma once

#include <string_view>

#include <switchyard/calibration.hpp>
#include <switchyard/placement.hpp>

namespace switchyard::detail {

class RuntimeCore;
struct KindRecord;

// handoff_figure() names the MachineModel figure of a hand-off to `pool` (cpu or blocking).
std::string_view handoff_figure(Placement pool) noexcept;

// handoff_measure() measures a hand-off to `pool`: an empty task of `kind` submitted from the
// calling (plain) thread and its result waited for, in timed rounds. The figure is missing
// if the runtime stops meanwhile. `rt` and `kind` must outlive the Measure.
Measure handoff_measure(RuntimeCore& rt, KindRecord& kind, Placement pool);

}  // namespace switchyard::detail
