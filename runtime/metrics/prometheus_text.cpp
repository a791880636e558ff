#include "metrics/prometheus_text.hpp"

#include <array>
#include <chrono>
#include <string_view>

#include <fmt/format.h>

namespace switchyard::detail {

namespace {

// The histogram's bounds, in seconds: fixed, so that a kind's series keep their buckets from
// one scrape to the next (the report lists only the buckets that hold a task).
constexpr std::array<double, 14> kWallBounds = {1e-6,   1e-5, 1e-4, 2.5e-4, 1e-3, 2.5e-3, 1e-2,
                                                2.5e-2, 0.1,  0.25, 1,      2.5,  10,     60};

double seconds(std::chrono::nanoseconds ns) {
  return std::chrono::duration<double>(ns).count();
}

// Text accumulates the exposition, one family at a time.
class Text {
 public:
  // family() starts a metric family: its HELP and TYPE lines.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name,
                   type);
  }
  // sample() writes one line; `labels` is already written as name="value",...
  void sample(std::string_view name, std::string_view labels, double value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(out_), "{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, value);
    }
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// label() is name="value" with the value escaped as the format requires (backslash, double
// quote, newline): a kind's name is the program's text.
std::string label(std::string_view name, std::string_view value) {
  std::string out(name);
  out += "=\"";
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

void kinds(Text& t, const Report& r) {
  auto each = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    t.family(name, type, help);
    for (const Report::KindReport& k : r.kinds) {
      t.sample(name, label("kind", k.name), static_cast<double>(value(k)));
    }
  };
  using K = Report::KindReport;
  each("switchyard_kind_spawned_total", "counter", "Tasks of the kind spawned.",
       [](const K& k) { return k.spawned; });
  each("switchyard_kind_tasks_total", "counter", "Tasks of the kind that finished.",
       [](const K& k) { return k.finished; });
  each("switchyard_kind_failed_total", "counter", "Tasks of the kind that ended in an error.",
       [](const K& k) { return k.failed; });
  each("switchyard_kind_moves_total", "counter",
       "Times the kind's new tasks were moved to another executor.",
       [](const K& k) { return k.history.size(); });
  each("switchyard_kind_migrations_total", "counter",
       "Running tasks of the kind that changed executor.",
       [](const K& k) { return k.task_migrations; });
  each("switchyard_kind_stalls_total", "counter",
       "Times a task of the kind held a fiber worker past the stall threshold.",
       [](const K& k) { return k.stalls; });
  each("switchyard_kind_pinned", "gauge", "1 when the config pins the kind's placement.",
       [](const K& k) { return k.pinned ? 1 : 0; });

  t.family("switchyard_kind_placement", "gauge",
           "1 for the executor the kind's new tasks go to now, 0 for the others.");
  for (const K& k : r.kinds) {
    for (Placement p : all_placements) {
      t.sample("switchyard_kind_placement",
               label("kind", k.name) + ',' + label("placement", to_string(p)),
               k.placement == p ? 1 : 0);
    }
  }

  t.family("switchyard_kind_share", "gauge",
           "Share of the kind's wall time spent on CPU, blocked, waiting, and queued.");
  for (const K& k : r.kinds) {
    const std::string kind = label("kind", k.name) + ',';
    t.sample("switchyard_kind_share", kind + label("of", "cpu"), k.cpu_share);
    t.sample("switchyard_kind_share", kind + label("of", "blocked"), k.blocked_share);
    t.sample("switchyard_kind_share", kind + label("of", "wait"), k.wait_share);
    t.sample("switchyard_kind_share", kind + label("of", "queued"), k.queued_share);
  }

  t.family("switchyard_kind_wall_seconds", "histogram", "Wall time of the kind's measured tasks.");
  for (const K& k : r.kinds) {
    const std::string kind = label("kind", k.name);
    std::uint64_t total = 0;
    for (const LatencyHistogram::Bucket& b : k.wall_histogram) total += b.count;
    std::size_t next = 0;
    std::uint64_t below = 0;
    for (double bound : kWallBounds) {
      while (next < k.wall_histogram.size() && seconds(k.wall_histogram[next].upper) <= bound) {
        below += k.wall_histogram[next++].count;
      }
      t.sample("switchyard_kind_wall_seconds_bucket",
               kind + ',' + label("le", fmt::format("{}", bound)), static_cast<double>(below));
    }
    t.sample("switchyard_kind_wall_seconds_bucket", kind + ',' + label("le", "+Inf"),
             static_cast<double>(total));
    t.sample("switchyard_kind_wall_seconds_sum", kind,
             seconds(k.mean_wall) * static_cast<double>(total));
    t.sample("switchyard_kind_wall_seconds_count", kind, static_cast<double>(total));
  }
}

void executors(Text& t, const Report& r, const LoadView& load) {
  std::uint64_t stalls = 0;
  for (const Report::KindReport& k : r.kinds) stalls += k.stalls;
  auto each = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    t.family(name, type, help);
    for (const Report::ExecutorReport& e : r.executors) {
      t.sample(name, label("executor", to_string(e.placement)), static_cast<double>(value(e)));
    }
  };
  using E = Report::ExecutorReport;
  each("switchyard_executor_workers", "gauge",
       "Threads of the executor (for the shards, processes serving).",
       [](const E& e) { return e.workers; });
  each("switchyard_executor_max_workers", "gauge", "The most threads (or shards) it may have.",
       [](const E& e) { return e.max_workers; });
  each("switchyard_executor_busy", "gauge", "Workers running a task, as the monitor last read.",
       [&](const E& e) { return load[e.placement].busy; });
  each("switchyard_executor_queued", "gauge", "Tasks waiting for a worker, as last read.",
       [&](const E& e) { return load[e.placement].queued; });
  each("switchyard_executor_tasks_total", "counter",
       "Task slices started on it (for the shards, calls answered).",
       [](const E& e) { return e.tasks_run; });
  each("switchyard_executor_handoffs_total", "counter",
       "Fiber executor: queues and reactors handed on from a blocked worker.",
       [](const E& e) { return e.handoffs; });
  each("switchyard_executor_restarts_total", "counter",
       "Shards: processes started again after one ended.", [](const E& e) { return e.restarts; });
  each("switchyard_executor_stalls_total", "counter",
       "Times the watchdog caught a task holding one of its workers (fiber workers only).",
       [&](const E& e) { return e.placement == Placement::fiber ? stalls : 0; });
}

void calibration(Text& t, const Report& r) {
  t.family("switchyard_calibration_info", "gauge",
           "1, labelled with the calibration's state (off, running, failed, or how the cache "
           "served).");
  t.sample("switchyard_calibration_info", label("state", r.calibration.state), 1);
  t.family("switchyard_calibration_figure", "gauge",
           "The calibrated costs the policy weighs placements by, each in the unit its name "
           "ends in.");
  if (!r.calibration.model) return;
  for (const FigureField& f : figure_fields()) {
    const Figure& figure = (*r.calibration.model).*f.member;
    if (figure.value) {
      t.sample("switchyard_calibration_figure",
               label("figure", f.name) + ',' + label("source", to_string(figure.source)),
               *figure.value);
    }
  }
}

}  // namespace

std::string prometheus_text(const Report& report, const LoadView& load) {
  Text t;
  t.family("switchyard_info", "gauge", "1, labelled with the placement policy.");
  t.sample("switchyard_info", label("policy", report.policy), 1);
  t.family("switchyard_uptime_seconds", "gauge", "Time since the runtime started.");
  t.sample("switchyard_uptime_seconds", "", seconds(report.uptime));
  kinds(t, report);
  executors(t, report, load);
  calibration(t, report);
  return t.take();
}

}  // namespace switchyard::detail
