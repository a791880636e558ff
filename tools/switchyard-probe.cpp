// switchyard-probe: what Switchyard sees of this machine (topology, counters, calibration),
// as a readable report or as JSON (schema in docs/probe.md).
#include <switchyard/calibration.hpp>
#include <switchyard/counters.hpp>
#include <switchyard/machine_model.hpp>
#include <switchyard/machine_model_json.hpp>
#include <switchyard/report_text.hpp>
#include <switchyard/runtime.hpp>
#include <switchyard/topology.hpp>
#include <switchyard/topology_json.hpp>
#include <switchyard/topology_summary.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sy = switchyard;

namespace {

// kSchemaVersion changes whenever a JSON field changes meaning or disappears; adding a field
// does not change it.
constexpr int kSchemaVersion = 2;

// kBadArguments is the exit status of a bad command line.
constexpr int kBadArguments = 2;

// split_events() is --events LIST as names; an empty name is a bad command line.
std::vector<std::string> split_events(std::string_view list) {
  std::vector<std::string> names;
  std::string_view rest = list;
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    if (name.empty()) {
      throw CLI::ValidationError("--events", fmt::format("'{}' has an empty event name", list));
    }
    names.emplace_back(name);
    if (comma == std::string_view::npos) return names;
    rest.remove_prefix(comma + 1);
  }
}

std::string plural(std::size_t count, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string join(const std::vector<unsigned>& values) {
  return fmt::format("{}", fmt::join(values, ","));
}

void print_topology(const sy::Topology& topology) {
  fmt::print("topology ({})\n", topology.source());
  fmt::print("  cpu: {}\n", topology.cpu_model());
  fmt::print("  {}, {}, {}, {}\n", plural(topology.packages(), "package", "packages"),
             plural(topology.numa_nodes(), "NUMA node", "NUMA nodes"),
             plural(topology.core_count(), "core", "cores"),
             plural(topology.hardware_threads(), "hardware thread", "hardware threads"));
  std::map<unsigned, std::map<unsigned, std::vector<const sy::Core*>>> tree;
  for (const sy::Core& core : topology.cores()) tree[core.package][core.numa_node].push_back(&core);
  for (const auto& [package, nodes] : tree) {
    fmt::print("  package {}\n", package);
    for (const auto& [node, cores] : nodes) {
      fmt::print("    NUMA node {}\n", node);
      for (const sy::Core* core : cores) {
        fmt::print("      core {}: PU {}\n", core->index, join(core->pus));
      }
    }
  }
  if (topology.caches().empty()) {
    fmt::print("  caches: unknown\n");
    return;
  }
  fmt::print("  caches\n");
  for (const sy::Cache& cache : topology.caches()) {
    fmt::print("    L{} {:<11} {:>7}, {} B lines, shared by {}, {}\n", cache.level, cache.type,
               sy::bytes_text(cache.size_bytes), cache.line_bytes,
               plural(cache.shared_by_cores, "core", "cores"),
               plural(cache.instances, "instance", "instances"));
  }
}

void print_counters(const sy::CounterPlan& plan) {
  fmt::print("counters (mode {}, chosen by {})\n", sy::to_string(plan.mode()), plan.mode_origin());
  fmt::print("  {}\n", plan.papi());
  for (const std::string& note : plan.notes()) fmt::print("  note: {}\n", note);
  fmt::print("  live\n");
  for (const sy::PlannedEvent& event : plan.events()) {
    if (!event.live) continue;
    fmt::print("    {:<24} {:<13} {}\n", event.requested, sy::to_string(event.source),
               event.reason);
  }
  if (plan.live_count() == 0) fmt::print("    none\n");
  fmt::print("  missing\n");
  bool any_missing = false;
  for (const sy::PlannedEvent& event : plan.events()) {
    if (event.live) continue;
    any_missing = true;
    fmt::print("    {:<24} {}\n", event.requested, event.reason);
  }
  if (!any_missing) fmt::print("    none\n");
}

// figure_text() prints a figure with 4 significant digits, or "-" when not measured.
std::string figure_text(const sy::Figure& figure) {
  return figure.value ? sy::figure_text(*figure.value) : "-";
}

// cache_text() says in a few words what the cache did.
std::string cache_text(const sy::Calibration& calibration) {
  const std::string path =
      calibration.cache_path.empty() ? "no cache path" : calibration.cache_path.string();
  switch (calibration.cache) {
    case sy::CacheOutcome::hit:
      return fmt::format("read from {}", path);
    case sy::CacheOutcome::topped_up:
      return fmt::format("read from {}, missing figures measured", path);
    case sy::CacheOutcome::missing:
      return fmt::format("none at {}, measured", path);
    case sy::CacheOutcome::stale:
      return fmt::format("stale at {}, measured", path);
    case sy::CacheOutcome::corrupt:
      return fmt::format("corrupt at {}, measured", path);
    case sy::CacheOutcome::ignored:
      return "ignored (--recalibrate), measured";
    case sy::CacheOutcome::disabled:
      break;
  }
  return "disabled, measured";
}

// not_measured_reason() lists the figures without a value and why, for the JSON `reason`.
std::string not_measured_reason(const sy::MachineModel& model) {
  std::string reason;
  for (const sy::FigureField& field : sy::figure_fields()) {
    const sy::Figure& figure = model.*field.member;
    if (figure.value) continue;
    reason += fmt::format("{}{}: {}", reason.empty() ? "" : "; ", field.name, figure.note);
  }
  return reason;
}

void print_calibration(const sy::Calibration& calibration) {
  const sy::MachineModel& model = calibration.model;
  fmt::print("calibration\n");
  fmt::print("  cache {}: {}\n", to_string(calibration.cache), cache_text(calibration));
  if (!calibration.cache_note.empty()) fmt::print("  note: {}\n", calibration.cache_note);
  if (calibration.cache_written) fmt::print("  written to {}\n", calibration.cache_path.string());
  fmt::print("  this run: {:.2f} ms; measuring took {:.1f} ms when the figures were measured\n",
             calibration.elapsed_ms, model.calibration_ms);
  fmt::print("  {:<32} {:>10} {:<7} {:<13} {}\n", "figure", "value", "unit", "source", "how");
  for (const sy::FigureField& field : sy::figure_fields()) {
    const sy::Figure& figure = model.*field.member;
    fmt::print("  {:<32} {:>10} {:<7} {:<13} {}\n", field.name, figure_text(figure), field.unit,
               sy::to_string(figure.source), figure.note);
  }
}

nlohmann::ordered_json calibration_json(const sy::Calibration& calibration) {
  const sy::MachineModel& model = calibration.model;
  return {
      {"available", true},
      {"reason", not_measured_reason(model)},
      {"cache",
       {{"path", calibration.cache_path.empty()
                     ? nullptr
                     : nlohmann::ordered_json(calibration.cache_path.string())},
        {"outcome", sy::to_string(calibration.cache)},
        {"note", calibration.cache_note},
        {"written", calibration.cache_written}}},
      {"elapsed_ms", calibration.elapsed_ms},
      {"calibration_ms", model.calibration_ms},
      {"signature", model.signature},
      {"figures", sy::figures_to_json<nlohmann::ordered_json>(model, sy::FigureDetail::report)}};
}

// topology_json() is the machine as a report writes it, with the per-core list added.
nlohmann::ordered_json topology_json(const sy::Topology& topology) {
  nlohmann::ordered_json json = sy::TopologySummary::of(topology);
  nlohmann::ordered_json& core_list = json["core_list"] = nlohmann::ordered_json::array();
  for (const sy::Core& core : topology.cores()) {
    core_list.push_back({{"index", core.index},
                         {"os_index", core.os_index},
                         {"pus", core.pus},
                         {"numa_node", core.numa_node},
                         {"package", core.package}});
  }
  return json;
}

nlohmann::ordered_json counters_json(const sy::CounterPlan& plan) {
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (const sy::PlannedEvent& event : plan.events()) {
    events.push_back(
        {{"requested", event.requested},
         {"live", event.live},
         {"source", sy::to_string(event.source)},
         {"counted_by", event.live ? nlohmann::ordered_json(event.counted_by) : nullptr},
         {"slot", event.live ? nlohmann::ordered_json(event.slot) : nullptr},
         {"reason", event.reason}});
  }
  return {{"mode", sy::to_string(plan.mode())},
          {"mode_origin", plan.mode_origin()},
          {"papi", plan.papi()},
          {"notes", plan.notes()},
          {"live_count", plan.live_count()},
          {"events", std::move(events)}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "Reports what Switchyard sees of this machine: the cores it may run on, which hardware "
      "and software counters work (and why the others do not), and calibration figures.",
      "switchyard-probe");
  app.footer(
      "Environment: SWITCHYARD_COUNTERS=presets-off|papi-off starts the counter fallback\n"
      "chain later (skip PAPI presets, or PAPI entirely). The calibration cache is\n"
      "$XDG_CACHE_HOME/switchyard/machine-model.json (default ~/.cache/...).");
  bool json = false;
  bool recalibrate = false;
  sy::CounterOptions options = sy::CounterOptions::from_environment();
  std::string events;
  app.add_flag("--json", json, "print the report as JSON (schema: docs/probe.md)");
  const CLI::Option* events_option =
      app.add_option("--events", events,
                     "comma-separated counter names to try instead of the default list, "
                     "e.g. PAPI_TOT_INS,perf::TASK-CLOCK")
          ->type_name("LIST")
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag("--recalibrate", recalibrate,
               "measure the calibration figures again, ignoring the cache (and rewrite it)");
  try {
    app.parse(argc, argv);
    if (events_option->count() > 0) options.events = split_events(events);
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", app.help());
    return 0;
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "switchyard-probe: {}\n(see switchyard-probe --help)\n", error.what());
    return kBadArguments;
  }

  const sy::CounterPlan plan = sy::CounterPlan::decide(options);
  // A runtime of its own measures the hand-offs to its pools; it calibrates once, here.
  sy::Config config;
  config.profiling.calibrate = false;
  sy::Runtime runtime(config);
  const sy::Topology& topology = runtime.topology();
  const sy::Calibration calibration = runtime.calibrate(recalibrate);

  if (json) {
    const nlohmann::ordered_json report = {
        {"schema_version", kSchemaVersion},
        {"tool", {{"name", "switchyard-probe"}, {"version", SWITCHYARD_VERSION}}},
        {"topology", topology_json(topology)},
        {"counters", counters_json(plan)},
        {"calibration", calibration_json(calibration)}};
    fmt::print("{}\n", report.dump(2));
    return 0;
  }
  fmt::print("switchyard-probe {}\n\n", SWITCHYARD_VERSION);
  print_topology(topology);
  fmt::print("\n");
  print_counters(plan);
  fmt::print("\n");
  print_calibration(calibration);
  return 0;
}
