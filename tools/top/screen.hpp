// Screen: what switchyard-top shows, from what the endpoint answered.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include <switchyard/load_view.hpp>
#include <switchyard/report.hpp>

namespace switchyard::top {

// executor_load() reads each executor's busy and queued from the endpoint's Prometheus text
// (the report leaves them out: they are the monitor's, not the kinds'). Lines it does not know
// are skipped.
LoadView executor_load(std::string_view prometheus_text);

// Screen renders successive snapshots of one runtime. It remembers the last one, to show each
// kind's rate of finished tasks, and the moves seen since it attached, marked new.
class Screen {
 public:
  // render() is the screen for `report` and `load` (the rates are over the uptime since the
  // previous render): a header, one line per kind (where it runs, tasks, rate, shares, latency,
  // moves, stalls), one per executor (workers, busy, queued, tasks, stalls) and the latest moves,
  // as plain text lines at most `width` wide.
  std::string render(std::string_view address, const Report& report, const LoadView& load,
                     int width);

 private:
  std::map<std::string, std::uint64_t, std::less<>> finished_;  // per kind, at the last render
  std::chrono::nanoseconds last_uptime_{0};
  std::chrono::nanoseconds attached_at_{-1};
};

}  // namespace switchyard::top
