// The JSON object a workload run prints.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include <switchyard/config.hpp>
#include <switchyard/report.hpp>

#include "options.hpp"
#include "outcome.hpp"
#include "process_usage.hpp"

namespace switchyard::bench {

// summary_json() is what the peers print of a run, or of each part of a mixed run, from its
// Outcome (bench/peers/README.md): tasks, makespan_s, p50_ms, p99_ms and checksum, then
// `errors` (and `first_error`). It sorts the outcome's latencies.
nlohmann::ordered_json summary_json(Outcome& outcome);

// result_json() is a run's result: `workload`, `placement` and its summary_json(), the other
// fields every peer prints (cpu_s, max_rss_kb, vm_hwm_kb), then `migrations`, the workload's own
// fields, and last what the runtime decided: per kind its placement, shares, stalls and moves, per
// executor its threads.
nlohmann::ordered_json result_json(std::string_view workload, const BenchOptions& options,
                                   Outcome outcome, const Report& report, const Config& config,
                                   const ProcessUsage& usage);

}  // namespace switchyard::bench
