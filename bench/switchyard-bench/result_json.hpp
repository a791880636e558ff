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

// result_json() is a run's result: first the fields every peer prints (bench/peers/README.md),
// then `migrations`, `errors` (and `first_error`), the workload's own fields, and last what
// the runtime decided: per kind its placement, shares, stalls and moves, per executor its
// threads.
nlohmann::ordered_json result_json(std::string_view workload, const BenchOptions& options,
                                   Outcome outcome, const Report& report, const Config& config,
                                   const ProcessUsage& usage);

}  // namespace switchyard::bench
