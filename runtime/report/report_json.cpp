// Report as JSON: the schema of docs/report.md, written and read back.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <switchyard/detail/json_depth.hpp>
#include <switchyard/machine_model_json.hpp>
#include <switchyard/report.hpp>
#include <switchyard/topology_json.hpp>

namespace switchyard {

namespace {

using Json = nlohmann::ordered_json;

std::int64_t ns(std::chrono::nanoseconds d) {
  return d.count();
}

Json optional_number(const std::optional<double>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json counters_json(const Report::CounterReport& c) {
  Json events = Json::array();
  for (const PlannedEvent& e : c.events) {
    events.push_back({{"requested", e.requested},
                      {"live", e.live},
                      {"source", to_string(e.source)},
                      {"counted_by", e.counted_by},
                      {"reason", e.reason}});
  }
  return {{"papi", c.papi}, {"mode", c.mode}, {"events", std::move(events)}, {"notes", c.notes}};
}

Json calibration_json(const Report::CalibrationReport& c) {
  Json model(nullptr);
  if (c.model) {
    model = {{"signature", c.model->signature},
             {"calibration_ms", c.model->calibration_ms},
             {"figures", figures_to_json<Json>(*c.model, FigureDetail::report)}};
  }
  return {{"state", c.state}, {"model", std::move(model)}};
}

Json wait_split_json(const Report::KindReport::WaitSplit& split) {
  Json json = Json::object();
  Report::KindReport::WaitSplit::for_each(
      split, [&](std::string_view cause, double share) { json[std::string(cause)] = share; });
  return json;
}

Json kind_json(const Report::KindReport& k) {
  Json histogram = Json::array();
  for (const LatencyHistogram::Bucket& b : k.wall_histogram) {
    histogram.push_back({ns(b.upper), b.count});
  }
  Json history = Json::array();
  for (const Report::PlacementChange& c : k.history) {
    history.push_back({{"at_ns", ns(c.at)},
                       {"from", to_string(c.from)},
                       {"to", to_string(c.to)},
                       {"rule", c.rule},
                       {"measured", c.measured},
                       {"threshold", c.threshold}});
  }
  Json per_task = Json::object();
  for (const auto& [event, mean] : k.counters_per_task) per_task[event] = mean;
  return {
      {"name", k.name},
      {"placement", to_string(k.placement)},
      {"pinned", k.pinned},
      {"first_seen_ns", ns(k.first_seen)},
      {"spawned", k.spawned},
      {"finished", k.finished},
      {"failed", k.failed},
      {"measured", k.measured},
      {"counted", k.counted},
      {"shares_of_wall",
       {{"cpu", k.cpu_share},
        {"blocked", k.blocked_share},
        {"wait", k.wait_share},
        {"join", k.join_share},
        {"queued", k.queued_share}}},
      {"shares_of_active",
       {{"cpu", k.active_cpu_share},
        {"blocked", k.active_blocked_share},
        {"wait", k.active_wait_share}}},
      {"wait_split", wait_split_json(k.wait_split)},
      {"wall_ns", {{"p50", ns(k.wall_p50)}, {"p99", ns(k.wall_p99)}, {"mean", ns(k.mean_wall)}}},
      {"mean_cpu_ns", ns(k.mean_cpu)},
      {"wall_histogram", std::move(histogram)},
      {"task_migrations", k.task_migrations},
      {"stalls", k.stalls},
      {"history", std::move(history)},
      {"counters",
       {{"per_task", std::move(per_task)},
        {"ipc", optional_number(k.ipc)},
        {"cache_misses_per_kilo_instruction", optional_number(k.cache_misses_per_kilo_instruction)},
        {"context_switches_per_task", optional_number(k.context_switches_per_task)}}}};
}

// Field is one value of the document being read, and its path in it ("kinds[2].wall_ns"),
// so that each accessor that finds the wrong thing can say where.
class Field {
 public:
  Field(const Json& value, std::string path) : value_(value), path_(std::move(path)) {}

  Field operator[](std::string_view key) const {
    if (!value_.is_object()) fail("an object");
    const auto found = value_.find(key);
    const std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    if (found == value_.end()) throw ReportFormatError(path + ": missing");
    return {*found, path};
  }
  Field operator[](std::size_t i) const {
    return {value_.at(i), path_ + "[" + std::to_string(i) + "]"};
  }
  std::size_t size() const {
    if (!value_.is_array()) fail("an array");
    return value_.size();
  }
  // items() is an object's members, for keys that are data (event names).
  const Json& object() const {
    if (!value_.is_object()) fail("an object");
    return value_;
  }
  bool is_null() const { return value_.is_null(); }

  std::string string() const {
    if (!value_.is_string()) fail("a string");
    return value_.get<std::string>();
  }
  bool boolean() const {
    if (!value_.is_boolean()) fail("true or false");
    return value_.get<bool>();
  }
  double number() const {
    if (!value_.is_number()) fail("a number");
    return value_.get<double>();
  }
  std::optional<double> number_or_null() const {
    if (is_null()) return std::nullopt;
    return number();
  }
  std::uint64_t count() const {
    if (!value_.is_number_unsigned() &&
        !(value_.is_number_integer() && value_.get<std::int64_t>() >= 0)) {
      fail("a whole number of 0 or more");
    }
    return value_.get<std::uint64_t>();
  }
  std::chrono::nanoseconds duration() const {
    const bool fits = value_.is_number_unsigned()
                          ? value_.get<std::uint64_t>() <= std::uint64_t{INT64_MAX}
                          : value_.is_number_integer() && value_.get<std::int64_t>() >= 0;
    if (!fits) fail("a whole number of nanoseconds");
    return std::chrono::nanoseconds{value_.get<std::int64_t>()};
  }
  // figure() is a number, or infinity where the writer had one (JSON has none: it is null).
  double figure() const {
    if (is_null()) return std::numeric_limits<double>::infinity();
    return number();
  }
  Placement placement() const {
    const std::optional<Placement> p = parse_placement(string());
    if (!p) fail("\"fiber\", \"cpu\", \"blocking\" or \"shard\"");
    return *p;
  }
  // one_of() is the enumerator of `values` that to_string() spells as this string.
  template <class E, std::size_t N>
  E one_of(const std::array<E, N>& values) const {
    const std::string text = string();
    for (const E v : values) {
      if (to_string(v) == text) return v;
    }
    fail("a known name");
  }
  [[noreturn]] void fail(std::string_view expected) const {
    const bool quote = value_.is_primitive() && !value_.is_null();
    throw ReportFormatError((path_.empty() ? "the document" : path_) + ": expected " +
                            std::string(expected) + ", found " +
                            (quote ? value_.dump() : std::string(value_.type_name())));
  }

 private:
  const Json& value_;
  std::string path_;
};

constexpr std::array kCounterSources{CounterSource::none, CounterSource::papi_preset,
                                     CounterSource::papi_native, CounterSource::rusage,
                                     CounterSource::thread_clock};
constexpr std::array kFigureSources{FigureSource::not_measured, FigureSource::measured,
                                    FigureSource::cached};

Report::MachineReport machine_from(const Field& f) {
  Report::MachineReport m;
  m.cpu_model = f["cpu_model"].string();
  m.packages = f["packages"].count();
  m.numa_nodes = f["numa_nodes"].count();
  m.cores = f["cores"].count();
  m.hardware_threads = f["hardware_threads"].count();
  m.topology_source = f["topology_source"].string();
  const Field caches = f["caches"];
  for (std::size_t i = 0; i < caches.size(); ++i) {
    const Field c = caches[i];
    m.caches.push_back({static_cast<unsigned>(c["level"].count()), c["size_bytes"].count(),
                        c["line_bytes"].count(), c["shared_by_cores"].count(), c["type"].string(),
                        c["instances"].count()});
  }
  return m;
}

Report::CounterReport counters_from(const Field& f) {
  Report::CounterReport c;
  c.papi = f["papi"].string();
  c.mode = f["mode"].string();
  const Field events = f["events"];
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Field e = events[i];
    PlannedEvent planned;
    planned.requested = e["requested"].string();
    planned.live = e["live"].boolean();
    planned.source = e["source"].one_of(kCounterSources);
    planned.counted_by = e["counted_by"].string();
    planned.reason = e["reason"].string();
    c.events.push_back(std::move(planned));
  }
  const Field notes = f["notes"];
  for (std::size_t i = 0; i < notes.size(); ++i) c.notes.push_back(notes[i].string());
  return c;
}

Report::CalibrationReport calibration_from(const Field& f) {
  Report::CalibrationReport c;
  c.state = f["state"].string();
  const Field model = f["model"];
  if (model.is_null()) return c;
  MachineModel m;
  const Field signature = model["signature"];
  m.signature.cpu_model = signature["cpu_model"].string();
  m.signature.cores = signature["cores"].count();
  m.signature.hardware_threads = signature["hardware_threads"].count();
  m.signature.kernel_release = signature["kernel_release"].string();
  m.signature.switchyard_version = signature["switchyard_version"].string();
  m.calibration_ms = model["calibration_ms"].number();
  const Field figures = model["figures"];
  for (const FigureField& field : figure_fields()) {
    const Field entry = figures[field.name];
    Figure& figure = m.*field.member;
    figure.value = entry["value"].number_or_null();
    figure.source = entry["source"].one_of(kFigureSources);
    figure.note = entry["note"].string();
  }
  c.model = std::move(m);
  return c;
}

Report::KindReport kind_from(const Field& f) {
  Report::KindReport k;
  k.name = f["name"].string();
  k.placement = f["placement"].placement();
  k.pinned = f["pinned"].boolean();
  k.first_seen = f["first_seen_ns"].duration();
  k.spawned = f["spawned"].count();
  k.finished = f["finished"].count();
  k.failed = f["failed"].count();
  k.measured = f["measured"].count();
  k.counted = f["counted"].count();
  const Field wall = f["shares_of_wall"];
  k.cpu_share = wall["cpu"].number();
  k.blocked_share = wall["blocked"].number();
  k.wait_share = wall["wait"].number();
  k.join_share = wall["join"].number();
  k.queued_share = wall["queued"].number();
  const Field active = f["shares_of_active"];
  k.active_cpu_share = active["cpu"].number();
  k.active_blocked_share = active["blocked"].number();
  k.active_wait_share = active["wait"].number();
  const Field split = f["wait_split"];
  Report::KindReport::WaitSplit::for_each(
      k.wait_split, [&](std::string_view cause, double& share) { share = split[cause].number(); });
  const Field wall_ns = f["wall_ns"];
  k.wall_p50 = wall_ns["p50"].duration();
  k.wall_p99 = wall_ns["p99"].duration();
  k.mean_wall = wall_ns["mean"].duration();
  k.mean_cpu = f["mean_cpu_ns"].duration();
  const Field histogram = f["wall_histogram"];
  for (std::size_t i = 0; i < histogram.size(); ++i) {
    const Field bucket = histogram[i];
    if (bucket.size() != 2) bucket.fail("[upper bound, count]");
    k.wall_histogram.push_back({bucket[0].duration(), bucket[1].count()});
  }
  k.task_migrations = f["task_migrations"].count();
  k.stalls = f["stalls"].count();
  const Field history = f["history"];
  for (std::size_t i = 0; i < history.size(); ++i) {
    const Field c = history[i];
    k.history.push_back({c["at_ns"].duration(), c["from"].placement(), c["to"].placement(),
                         c["rule"].string(), c["measured"].figure(), c["threshold"].figure()});
  }
  const Field counters = f["counters"];
  const Field per_task = counters["per_task"];
  for (const auto& [event, value] : per_task.object().items()) {
    k.counters_per_task.emplace_back(event, per_task[event].number());
  }
  k.ipc = counters["ipc"].number_or_null();
  k.cache_misses_per_kilo_instruction =
      counters["cache_misses_per_kilo_instruction"].number_or_null();
  k.context_switches_per_task = counters["context_switches_per_task"].number_or_null();
  return k;
}

}  // namespace

std::string Report::to_json() const {
  Json kinds_json = Json::array();
  for (const KindReport& k : kinds) kinds_json.push_back(kind_json(k));
  Json sync_json = Json::array();
  for (const SyncObjectReport& o : sync_objects) {
    sync_json.push_back({{"name", o.name},
                         {"type", o.type},
                         {"waits", o.waits},
                         {"wait_ns", ns(o.wait_time)},
                         {"longest_queue", o.longest_queue}});
  }
  Json executors_json = Json::array();
  for (const ExecutorReport& e : executors) {
    executors_json.push_back({{"placement", to_string(e.placement)},
                              {"workers", e.workers},
                              {"max_workers", e.max_workers},
                              {"tasks_run", e.tasks_run},
                              {"handoffs", e.handoffs},
                              {"restarts", e.restarts}});
  }
  const Json root{{"schema", kSchema},
                  {"version", kSchemaVersion},
                  {"policy", policy},
                  {"uptime_ns", ns(uptime)},
                  {"machine", machine},
                  {"open_files", {{"before", open_files.before}, {"now", open_files.now}}},
                  {"memory",
                   {{"live_tasks", memory.live_tasks},
                    {"peak_live_tasks", memory.peak_live_tasks},
                    {"started_tasks", memory.started_tasks},
                    {"peak_started_tasks", memory.peak_started_tasks},
                    {"record_bytes", memory.record_bytes},
                    {"stack_resident_bytes", memory.stack_resident_bytes},
                    {"stack_bytes", memory.stack_bytes},
                    {"bytes_per_live_task", memory.bytes_per_live_task()}}},
                  {"counters", counters_json(counters)},
                  {"calibration", calibration_json(calibration)},
                  {"executors", std::move(executors_json)},
                  {"kinds", std::move(kinds_json)},
                  {"sync_objects", std::move(sync_json)},
                  {"sync_objects_unlisted", sync_objects_unlisted}};
  return root.dump(2);
}

Report Report::from_json(std::string_view text) {
  if (text.size() > kMaxJsonBytes) {
    throw ReportFormatError("not a report: " + std::to_string(text.size()) +
                            " bytes, more than the " + std::to_string(kMaxJsonBytes) +
                            " a report may have");
  }
  Json root;
  try {
    // A report nests a few levels deep; a deeper text is refused while it is read.
    root = Json::parse(text, detail::depth_bound(kMaxJsonDepth));
  } catch (const detail::JsonTooDeep& e) {
    throw ReportFormatError(std::string("not a report: ") + e.what());
  } catch (const Json::exception& e) {  // a syntax error, or a number out of a double's range
    throw ReportFormatError(std::string("not JSON: ") + e.what());
  }
  const Field f(root, "");
  if (f["schema"].string() != kSchema) {
    throw ReportFormatError("schema: not a Switchyard report (expected \"" + std::string(kSchema) +
                            "\")");
  }
  if (const std::uint64_t v = f["version"].count(); v != kSchemaVersion) {
    throw ReportFormatError("version: " + std::to_string(v) +
                            " is not a version this reader knows (" +
                            std::to_string(kSchemaVersion) + ")");
  }
  Report r;
  r.policy = f["policy"].string();
  r.uptime = f["uptime_ns"].duration();
  r.machine = machine_from(f["machine"]);
  const Field files = f["open_files"];
  r.open_files = {files["before"].count(), files["now"].count()};
  const Field memory = f["memory"];
  r.memory = {memory["live_tasks"].count(),    memory["peak_live_tasks"].count(),
              memory["started_tasks"].count(), memory["peak_started_tasks"].count(),
              memory["record_bytes"].count(),  memory["stack_resident_bytes"].count(),
              memory["stack_bytes"].count()};
  r.counters = counters_from(f["counters"]);
  r.calibration = calibration_from(f["calibration"]);
  const Field executors_field = f["executors"];
  for (std::size_t i = 0; i < executors_field.size(); ++i) {
    const Field e = executors_field[i];
    r.executors.push_back({e["placement"].placement(), e["workers"].count(),
                           e["max_workers"].count(), e["tasks_run"].count(), e["handoffs"].count(),
                           e["restarts"].count()});
  }
  const Field kinds_field = f["kinds"];
  for (std::size_t i = 0; i < kinds_field.size(); ++i) r.kinds.push_back(kind_from(kinds_field[i]));
  const Field sync_field = f["sync_objects"];
  for (std::size_t i = 0; i < sync_field.size(); ++i) {
    const Field o = sync_field[i];
    r.sync_objects.push_back({o["name"].string(), o["type"].string(), o["waits"].count(),
                              o["wait_ns"].duration(), o["longest_queue"].count()});
  }
  r.sync_objects_unlisted = f["sync_objects_unlisted"].count();
  return r;
}

}  // namespace switchyard
