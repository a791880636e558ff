// prometheus_text(): a runtime's figures in the Prometheus text exposition format.
#pragma once

#include <string>

#include <switchyard/load_view.hpp>
#include <switchyard/report.hpp>

namespace switchyard::detail {

// prometheus_text() writes `report` and `load` as Prometheus text format 0.0.4 (docs/metrics.md
// lists the metrics): per kind its tasks, shares, wall-time histogram, placement, moves and
// stalls; per executor its workers, busy, queued, stalls; the shards; the calibration.
// Throws std::bad_alloc.
std::string prometheus_text(const Report& report, const LoadView& load);

}  // namespace switchyard::detail
