#include "screen.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>

namespace switchyard::top {

namespace {

double seconds(std::chrono::nanoseconds ns) {
  return std::chrono::duration<double>(ns).count();
}

std::string latency(std::chrono::nanoseconds ns) {
  const double s = seconds(ns);
  if (s >= 1) return fmt::format("{:.2f}s", s);
  if (s >= 1e-3) return fmt::format("{:.1f}ms", s * 1e3);
  return fmt::format("{:.0f}us", s * 1e6);
}

// A move, with its kind, for the list of the latest.
struct Move {
  std::string_view kind;
  const Report::PlacementChange* change;
};

}  // namespace

LoadView executor_load(std::string_view text) {
  LoadView load;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    for (const auto& [metric, field] :
         {std::pair{std::string_view("switchyard_executor_busy"), &ExecutorLoad::busy},
          std::pair{std::string_view("switchyard_executor_queued"), &ExecutorLoad::queued}}) {
      const std::string prefix = std::string(metric) + "{executor=\"";
      if (!line.starts_with(prefix)) continue;
      const std::string_view rest = line.substr(prefix.size());
      const std::size_t quote = rest.find('"');
      const std::size_t space = rest.find(' ');
      if (quote == std::string_view::npos || space == std::string_view::npos) continue;
      const std::optional<Placement> p = parse_placement(rest.substr(0, quote));
      std::size_t value = 0;
      const std::string_view number = rest.substr(space + 1);
      if (p &&
          std::from_chars(number.data(), number.data() + number.size(), value).ec == std::errc{}) {
        load[*p].*field = value;
      }
    }
  }
  return load;
}

std::string Screen::render(std::string_view address, const Report& r, const LoadView& load,
                           int width) {
  if (attached_at_.count() < 0) attached_at_ = r.uptime;
  const double span = seconds(r.uptime - last_uptime_);
  std::vector<std::string> lines;
  lines.push_back(fmt::format("switchyard-top  {}  policy {}  uptime {:.1f} s  calibration {}",
                              address, r.policy, seconds(r.uptime), r.calibration.state));
  lines.emplace_back();
  lines.push_back(
      fmt::format("{:<20} {:<9} {:>9} {:>8} {:>5} {:>5} {:>5} {:>6} {:>8} {:>8} "
                  "{:>5} {:>6}",
                  "KIND", "WHERE", "TASKS", "RATE/s", "CPU", "BLOCK", "WAIT", "QUEUED", "P50",
                  "P99", "MOVES", "STALLS"));
  std::uint64_t stalls = 0;
  std::vector<Move> moves;
  for (const Report::KindReport& k : r.kinds) {
    const auto last = finished_.find(k.name);
    const std::uint64_t before = last == finished_.end() ? 0 : last->second;
    const double rate =
        span > 0 && k.finished >= before ? static_cast<double>(k.finished - before) / span : 0.0;
    lines.push_back(fmt::format(
        "{:<20} {:<9} {:>9} {:>8.1f} {:>5.2f} {:>5.2f} {:>5.2f} {:>6.2f} {:>8} {:>8} {:>5} "
        "{:>6}",
        k.name.substr(0, 20), fmt::format("{}{}", to_string(k.placement), k.pinned ? "*" : ""),
        k.finished, rate, k.active_cpu_share, k.active_blocked_share, k.active_wait_share,
        k.queued_share, latency(k.wall_p50), latency(k.wall_p99), k.history.size(), k.stalls));
    finished_[k.name] = k.finished;
    stalls += k.stalls;
    for (const Report::PlacementChange& c : k.history) moves.push_back({k.name, &c});
  }
  last_uptime_ = r.uptime;

  lines.emplace_back();
  lines.push_back(fmt::format("{:<10} {:>9} {:>5} {:>7} {:>12} {:>7}", "EXECUTOR", "WORKERS",
                              "BUSY", "QUEUED", "TASKS", "STALLS"));
  for (const Report::ExecutorReport& e : r.executors) {
    const ExecutorLoad& l = load[e.placement];
    lines.push_back(fmt::format("{:<10} {:>9} {:>5} {:>7} {:>12} {:>7}", to_string(e.placement),
                                fmt::format("{}/{}", e.workers, e.max_workers), l.busy, l.queued,
                                e.tasks_run, e.placement == Placement::fiber ? stalls : 0));
  }

  lines.emplace_back();
  lines.push_back("MOVES (latest last; + since attached)");
  std::sort(moves.begin(), moves.end(),
            [](const Move& a, const Move& b) { return a.change->at < b.change->at; });
  constexpr std::size_t kShown = 8;
  for (std::size_t i = moves.size() > kShown ? moves.size() - kShown : 0; i < moves.size(); ++i) {
    const Move& m = moves[i];
    lines.push_back(fmt::format("{} {:<20} {}", m.change->at >= attached_at_ ? "+" : " ",
                                m.kind.substr(0, 20), to_string(*m.change)));
  }
  if (moves.empty()) lines.push_back("  (none yet)");

  std::string out;
  const auto columns = static_cast<std::size_t>(std::max(width, 20));
  for (const std::string& line : lines) {
    out += line.substr(0, columns);
    out += '\n';
  }
  return out;
}

}  // namespace switchyard::top
