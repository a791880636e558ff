#include "report/html_page.hpp"

#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <vector>

#include "report/breakdown_chart.hpp"
#include "report/latency_chart.hpp"
#include "report/page_assets.hpp"
#include "report/palette.hpp"
#include "report/placement_chart.hpp"
#include "report/text.hpp"

namespace switchyard::report_tool {

namespace {

std::string plural(std::uint64_t count, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", count_text(count), count == 1 ? one : many);
}

// placement_html() is a placement's name after its colour's swatch.
std::string placement_html(Placement placement) {
  return fmt::format(R"(<span class="swatch" style="background:{}"></span>{})",
                     placement_colour(placement), escape(to_string(placement)));
}

std::string machine_card(const Report& report) {
  const Report::MachineReport& m = report.machine;
  std::string html = "<div class=\"card\"><h3>Machine</h3>\n";
  html += fmt::format("<p>{}</p>\n", escape(m.cpu_model));
  html +=
      fmt::format("<p>{} · {} · {} · {}</p>\n", plural(m.packages, "package", "packages"),
                  plural(m.numa_nodes, "NUMA node", "NUMA nodes"), plural(m.cores, "core", "cores"),
                  plural(m.hardware_threads, "hardware thread", "hardware threads"));
  html += fmt::format("<p class=\"muted\">topology from {}</p>\n", escape(m.topology_source));
  std::vector<std::string> caches;
  for (const Cache& cache : m.caches) {
    caches.push_back(
        fmt::format(R"(<span title="{} B lines, shared by {}, {}">L{} {} {} ×{}</span>)",
                    cache.line_bytes, plural(cache.shared_by_cores, "core", "cores"),
                    plural(cache.instances, "instance", "instances"), cache.level,
                    escape(cache.type), bytes_text(cache.size_bytes), cache.instances));
  }
  html += fmt::format("<p>caches: {}</p>\n", caches.empty()
                                                 ? std::string("unknown")
                                                 : fmt::format("{}", fmt::join(caches, " · ")));
  html += fmt::format("<p>open files limit: {} → {}</p>\n", count_text(report.open_files.before),
                      count_text(report.open_files.now));
  return html + "</div>\n";
}

// counters_card() lists the live events (how each is counted in its tooltip), then the
// missing ones with the reason.
std::string counters_card(const Report::CounterReport& counters) {
  std::string html = "<div class=\"card\"><h3>Counters</h3>\n";
  html += fmt::format("<p>{}</p>\n<p class=\"muted\">fallback chain: {}</p>\n",
                      escape(counters.papi), escape(counters.mode));
  std::vector<std::string> live;
  std::string missing;
  for (const PlannedEvent& event : counters.events) {
    if (event.live) {
      live.push_back(fmt::format(R"(<span class="live" title="{}, counted by {}: {}">{}</span>)",
                                 escape(to_string(event.source)), escape(event.counted_by),
                                 escape(event.reason), escape(event.requested)));
    } else {
      missing += fmt::format(R"(<p><span class="missing">{}</span> missing: {}</p>)",
                             escape(event.requested), escape(event.reason));
      missing += '\n';
    }
  }
  html += fmt::format("<p>live: {}</p>\n", live.empty() ? std::string("none")
                                                        : fmt::format("{}", fmt::join(live, ", ")));
  html += missing;
  for (const std::string& note : counters.notes) {
    html += fmt::format("<p class=\"muted\">note: {}</p>\n", escape(note));
  }
  return html + "</div>\n";
}

// calibration_card() has each figure's value; its meaning, source and how it was measured
// are the row's tooltip.
std::string calibration_card(const Report::CalibrationReport& calibration) {
  std::string html = "<div class=\"card\"><h3>Calibration</h3>\n";
  html += fmt::format("<p>state: {}</p>\n", escape(calibration.state));
  if (!calibration.model) return html + "<p class=\"muted\">no figures</p></div>\n";
  const MachineModel& model = *calibration.model;
  const MachineSignature& s = model.signature;
  html += fmt::format(
      "<p class=\"muted\">measured in {} ms on {}, {} / {}, kernel {}, switchyard {}</p>\n",
      decimal_text(model.calibration_ms, 1), escape(s.cpu_model), plural(s.cores, "core", "cores"),
      plural(s.hardware_threads, "thread", "threads"), escape(s.kernel_release),
      escape(s.switchyard_version));
  html += "<table class=\"figures\">\n";
  for (const FigureField& field : figure_fields()) {
    const Figure& figure = model.*field.member;
    html += fmt::format(
        R"(<tr title="{}: {}, {}"><td>{}</td><td class="n">{}</td></tr>)", escape(field.meaning),
        escape(to_string(figure.source)), escape(figure.note), escape(field.name),
        figure.value ? fmt::format("{} {}", figure_text(*figure.value), escape(field.unit))
                     : "<span class=\"missing\">not measured</span>");
    html += '\n';
  }
  return html + "</table></div>\n";
}

// details_text() is the line under a kind's row: when its first task came, its mean times,
// and the counter figures of its counted tasks that are known.
std::string details_text(const Report::KindReport& kind) {
  std::vector<std::string> parts;
  if (kind.ipc) parts.push_back("IPC " + decimal_text(*kind.ipc, 2));
  if (kind.cache_misses_per_kilo_instruction) {
    parts.push_back("cache misses/1k instructions " +
                    decimal_text(*kind.cache_misses_per_kilo_instruction, 2));
  }
  if (kind.context_switches_per_task) {
    parts.push_back("context switches/task " + decimal_text(*kind.context_switches_per_task, 3));
  }
  for (const auto& [event, mean] : kind.counters_per_task) {
    parts.push_back(fmt::format("{} {:.4g}", escape(event), mean));
  }
  const std::string text =
      fmt::format("first task at {}; mean {}, of which CPU {}", duration_text(kind.first_seen),
                  duration_text(kind.mean_wall), duration_text(kind.mean_cpu));
  if (parts.empty()) return text + "; no counters read";
  return fmt::format("{}; per counted task ({} of them): {}", text, count_text(kind.counted),
                     fmt::join(parts, " · "));
}

std::string kinds_table(const std::vector<Report::KindReport>& kinds) {
  if (kinds.empty()) return "<p class=\"muted\">No task kinds in this report.</p>\n";
  std::string html = "<div class=\"scroll\"><table class=\"kinds\">\n<tr><th>kind</th>";
  html += "<th>placement</th><th class=\"n\">finished / spawned</th><th class=\"n\">failed</th>";
  html += "<th class=\"n\">measured</th>";
  for (const Swatch& share : kShares) {
    html += fmt::format(
        R"(<th class="n" title="share of wall time {}"><span class="swatch" style="background:{}"></span>{}<br><small>of wall</small></th>)",
        share.label, share.colour, share.key);
  }
  html += "<th class=\"n\">p50</th><th class=\"n\">p99</th><th class=\"n\">moves</th>";
  html += "<th class=\"n\">migrations</th><th class=\"n\">stalls</th></tr>\n";
  for (const Report::KindReport& kind : kinds) {
    const auto share_cell = [](double share, std::optional<double> of_active) {
      const std::string title =
          of_active ? fmt::format(R"( title="{} of active time")", percent_text(*of_active)) : "";
      return fmt::format(R"(<td class="n"{}>{}</td>)", title, percent_text(share));
    };
    html += fmt::format("<tr class=\"kind\"><td>{}</td><td>{}{}</td>", escape(kind.name),
                        placement_html(kind.placement), kind.pinned ? " (pinned)" : "");
    html += fmt::format(R"(<td class="n">{} / {}</td><td class="n">{}</td><td class="n">{}</td>)",
                        count_text(kind.finished), count_text(kind.spawned),
                        count_text(kind.failed), count_text(kind.measured));
    html += share_cell(kind.cpu_share, kind.active_cpu_share) +
            share_cell(kind.blocked_share, kind.active_blocked_share) +
            share_cell(kind.wait_share, kind.active_wait_share) +
            share_cell(kind.join_share, std::nullopt) + share_cell(kind.queued_share, std::nullopt);
    html += fmt::format(R"(<td class="n">{}</td><td class="n">{}</td>)",
                        duration_text(kind.wall_p50), duration_text(kind.wall_p99));
    html +=
        fmt::format(R"(<td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>)",
                    kind.history.size(), count_text(kind.task_migrations), count_text(kind.stalls));
    html += fmt::format("\n<tr class=\"details\"><td colspan=\"15\">{}</td></tr>\n",
                        details_text(kind));
  }
  return html + "</table></div>\n";
}

std::string moves_table(const std::vector<Report::KindReport>& kinds) {
  std::string rows;
  for (const Report::KindReport& kind : kinds) {
    for (const Report::PlacementChange& move : kind.history) {
      rows += fmt::format(
          "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
          "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
          duration_text(move.at), escape(kind.name), placement_html(move.from),
          placement_html(move.to), escape(move.rule),
          move.has_figures() ? decimal_text(move.measured, 3) : "",
          move.has_figures() ? decimal_text(move.threshold, 3) : "");
    }
  }
  if (rows.empty()) return "<p class=\"muted\">No kind moved.</p>\n";
  return "<div class=\"scroll\"><table>\n<tr><th class=\"n\">at</th><th>kind</th><th>from</th>"
         "<th>to</th><th>rule</th><th class=\"n\">measured</th><th class=\"n\">threshold</th>"
         "</tr>\n" +
         rows + "</table></div>\n";
}

std::string executors_table(const std::vector<Report::ExecutorReport>& executors) {
  if (executors.empty()) return "<p class=\"muted\">No executors in this report.</p>\n";
  std::string html =
      "<table>\n<tr><th>executor</th><th class=\"n\">workers</th><th class=\"n\">max</th>"
      "<th class=\"n\">tasks run</th><th class=\"n\">handoffs</th><th class=\"n\">restarts</th>"
      "</tr>\n";
  for (const Report::ExecutorReport& e : executors) {
    html += fmt::format(
        "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
        "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        placement_html(e.placement), count_text(e.workers), count_text(e.max_workers),
        count_text(e.tasks_run), count_text(e.handoffs), count_text(e.restarts));
  }
  return html + "</table>\n";
}

// chart_section() is a chart under its heading and a caption that says how to read it.
std::string chart_section(std::string_view id, std::string_view heading, std::string_view caption,
                          const std::string& svg) {
  return fmt::format("<h2 id=\"{}\">{}</h2>\n<figure><figcaption>{}</figcaption>\n{}</figure>\n",
                     id, heading, caption, svg);
}

}  // namespace

std::string html_page(const Report& report, const PageOptions& options) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}</style>\n<script>{}</script>\n</head>\n"
      "<body data-charts=\"not checked\">\n",
      escape(options.title), kStyle, kSelfCheck);
  html += fmt::format("<h1>{}</h1>\n", escape(options.title));
  html +=
      fmt::format("<p class=\"subtitle\">policy <b>{}</b> · uptime {} · {} · from {}</p>\n",
                  escape(report.policy), duration_text(report.uptime),
                  plural(report.kinds.size(), "task kind", "task kinds"), escape(options.source));
  html += "<div class=\"cards\">\n" + machine_card(report) + counters_card(report.counters) +
          calibration_card(report.calibration) + "</div>\n";
  html += "<h2>Kinds</h2>\n" + kinds_table(report.kinds);
  html += chart_section("breakdown", "Time breakdown",
                        "Where each kind's tasks spent their wall time, from spawn to finish.",
                        breakdown_chart(report.kinds));
  html += chart_section("placement", "Placement over time",
                        "Where each kind's new tasks went, from its first task to the end of "
                        "the run; each marker is a move, its tooltip the rule and figures.",
                        placement_chart(report));
  html += "<h2>Moves</h2>\n" + moves_table(report.kinds);
  html += chart_section("latency", "Latency distribution",
                        "Each kind's task wall times (spawn to finish) on one log scale.",
                        latency_chart(report.kinds));
  html += "<h2>Executors</h2>\n" + executors_table(report.executors);
  html += "<pre id=\"selfcheck\">self-check: not run (scripts are off)</pre>\n</body>\n</html>\n";
  return html;
}

}  // namespace switchyard::report_tool
