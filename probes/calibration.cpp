// calibrate(): the cache file (read, validate, write atomically) around the microbenchmarks.
#include <switchyard/calibration.hpp>
#include <switchyard/detail/json_depth.hpp>
#include <switchyard/detail/regular_file.hpp>
#include <switchyard/machine_model_json.hpp>
#include <switchyard/microbenchmarks.hpp>
#include <switchyard/topology.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace switchyard {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// kCacheFormat changes whenever the cache file's shape does; an old file then reads as
// corrupt and is recalibrated.
constexpr int kCacheFormat = 1;

// BuiltIn: a figure probes/ measures itself, and how. The other figures (the executor
// hand-offs) have a value only when a Measure gives them one.
struct BuiltIn {
  Figure MachineModel::*member;
  Figure (*measure)();
};

// kForkFirst is measured before every other figure, so that its fork happens before this call
// has started any thread of its own (each fiber measurement starts one).
constexpr BuiltIn kForkFirst = {&MachineModel::process_round_trip_ns,
                                &measure_process_round_trip_ns};

constexpr std::array<BuiltIn, 6> kBuiltIns = {{
    kForkFirst,
    {&MachineModel::fiber_switch_ns, &measure_fiber_switch_ns},
    {&MachineModel::fiber_spawn_join_ns, &measure_fiber_spawn_join_ns},
    {&MachineModel::serialize_ns_per_byte, &measure_serialize_ns_per_byte},
    {&MachineModel::syscall_ns, &measure_syscall_ns},
    {&MachineModel::spin_iters_per_second_per_core, &measure_spin_iters_per_second},
}};

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// run() measures one figure: the caller's Measure when there is one, else the built-in one.
Figure run(const FigureField& field, const CalibrationOptions& options) {
  Figure figure =
      Figure::missing("probes/ cannot measure it on its own and no Measure is registered for it");
  if (const auto measure = options.measures.find(field.name); measure != options.measures.end()) {
    figure = measure->second();
  } else {
    for (const BuiltIn& built_in : kBuiltIns) {
      if (built_in.member == field.member) figure = built_in.measure();
    }
  }
  // A figure is measured exactly when it has a value, whatever the Measure claimed.
  figure.source = figure.value ? FigureSource::measured : FigureSource::not_measured;
  return figure;
}

MachineModel measure_all(const MachineSignature& signature, const CalibrationOptions& options) {
  const auto start = Clock::now();
  MachineModel model;
  model.signature = signature;
  const auto measure = [&model, &options](const FigureField& field) {
    model.*field.member = run(field, options);
  };
  // kForkFirst first, then every other figure in figure_fields() order.
  for (const FigureField& field : figure_fields()) {
    if (field.member == kForkFirst.member) measure(field);
  }
  for (const FigureField& field : figure_fields()) {
    if (field.member != kForkFirst.member) measure(field);
  }
  model.calibration_ms = ms_since(start);
  return model;
}

json model_json(const MachineModel& model) {
  return {{"format", kCacheFormat},
          {"signature", model.signature},
          {"calibration_ms", model.calibration_ms},
          {"figures", figures_to_json<json>(model, FigureDetail::cache)}};
}

// Invalid: why a cache file cannot be used as it is.
struct Invalid {
  std::string why;
};

const json& member(const json& object, const char* key, json::value_t type) {
  const auto found = object.find(key);
  if (found == object.end()) throw Invalid{std::string("missing field '") + key + "'"};
  const bool number_ok = type == json::value_t::number_float && found->is_number();
  const bool unsigned_ok =
      type == json::value_t::number_unsigned && found->is_number_integer() && *found >= 0;
  if (found->type() != type && !number_ok && !unsigned_ok) {
    throw Invalid{std::string("field '") + key + "' is a " + found->type_name()};
  }
  return *found;
}

MachineModel model_from_json(const json& root) {
  if (!root.is_object()) throw Invalid{"not a JSON object"};
  if (member(root, "format", json::value_t::number_unsigned) != kCacheFormat) {
    throw Invalid{"format is not " + std::to_string(kCacheFormat)};
  }
  MachineModel model;
  const json& signature = member(root, "signature", json::value_t::object);
  model.signature.cpu_model =
      member(signature, "cpu_model", json::value_t::string).get<std::string>();
  model.signature.cores =
      member(signature, "cores", json::value_t::number_unsigned).get<std::size_t>();
  model.signature.hardware_threads =
      member(signature, "hardware_threads", json::value_t::number_unsigned).get<std::size_t>();
  model.signature.kernel_release =
      member(signature, "kernel_release", json::value_t::string).get<std::string>();
  model.signature.switchyard_version =
      member(signature, "switchyard_version", json::value_t::string).get<std::string>();
  model.calibration_ms = member(root, "calibration_ms", json::value_t::number_float).get<double>();
  const json& figures = member(root, "figures", json::value_t::object);
  for (const FigureField& field : figure_fields()) {
    const std::string name(field.name);
    const json& entry = member(figures, name.c_str(), json::value_t::object);
    Figure& figure = model.*field.member;
    figure.note = member(entry, "note", json::value_t::string).get<std::string>();
    const auto value = entry.find("value");
    if (value == entry.end()) throw Invalid{"figure '" + name + "' has no 'value'"};
    if (value->is_null()) continue;  // not measured, and the note says why
    if (!value->is_number()) throw Invalid{"figure '" + name + "' is a " + value->type_name()};
    const double number = value->get<double>();
    if (!std::isfinite(number) || number <= 0) {
      throw Invalid{"figure '" + name + "' is " + value->dump() + ", not a positive number"};
    }
    figure.value = number;
    figure.source = FigureSource::cached;
  }
  return model;
}

// Read: what the cache file held.
struct Read {
  std::optional<MachineModel> model;
  bool missing = false;
  std::string why;  // why it is not usable
};

// read_cache() reads at most kMaxCacheBytes of a regular file, kMaxCacheDepth levels deep: the
// cache is the program's own file, but whatever lies at its path is read at every start.
Read read_cache(const std::filesystem::path& path) {
  Read read;
  detail::FileText file = detail::read_regular_file(path, kMaxCacheBytes);
  if (file.problem) {
    const int error = file.problem->error;
    // ENOTDIR too: a file where a directory of the path should be, which write_cache() names.
    read.missing = file.problem->kind == detail::FileProblem::Kind::unreadable &&
                   (error == ENOENT || error == ENOTDIR);
    read.why = read.missing ? "no cache file" : path.string() + ": " + file.problem->what();
    return read;
  }
  try {
    const json root = json::parse(file.text, detail::depth_bound(kMaxCacheDepth),
                                  /*allow_exceptions=*/false);
    if (root.is_discarded()) {
      read.why = "not valid JSON";
      return read;
    }
    read.model = model_from_json(root);
  } catch (const detail::JsonTooDeep& too_deep) {
    read.why = too_deep.what();
  } catch (const Invalid& invalid) {
    read.why = invalid.why;
  } catch (const json::exception& error) {
    read.why = error.what();
  }
  return read;
}

// write_cache() writes a temporary file beside the cache and renames it over the cache, so a
// reader never sees half a file. Returns an empty string or what failed.
std::string write_cache(const std::filesystem::path& path, const MachineModel& model) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return "cannot create " + path.parent_path().string() + ": " + error.message();
  std::filesystem::path temporary = path;
  temporary += ".tmp." + std::to_string(getpid());
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << model_json(model).dump(2) << '\n';
    file.flush();
    if (!file) {
      std::filesystem::remove(temporary, error);
      return "cannot write " + temporary.string();
    }
  }
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    return "cannot rename " + temporary.string() + ": " + error.message();
  }
  return {};
}

}  // namespace

std::string_view to_string(CacheOutcome outcome) noexcept {
  switch (outcome) {
    case CacheOutcome::hit:
      return "hit";
    case CacheOutcome::topped_up:
      return "topped-up";
    case CacheOutcome::missing:
      return "missing";
    case CacheOutcome::stale:
      return "stale";
    case CacheOutcome::corrupt:
      return "corrupt";
    case CacheOutcome::ignored:
      return "ignored";
    case CacheOutcome::disabled:
      break;
  }
  return "disabled";
}

std::filesystem::path default_cache_path() {
  const std::filesystem::path tail = std::filesystem::path("switchyard") / "machine-model.json";
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::filesystem::path(xdg) / tail;
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    return std::filesystem::path(home) / ".cache" / tail;
  }
  return {};
}

Calibration calibrate(const Topology& topology, const CalibrationOptions& options) {
  // One at a time in a process: two would skew each other's figures and share a temporary
  // cache file.
  static std::mutex one_at_a_time;
  const std::lock_guard lock(one_at_a_time);
  const auto start = Clock::now();
  for (const auto& [name, measure] : options.measures) {
    if (find_figure_field(name) == nullptr) {
      throw std::invalid_argument("calibrate(): no figure is called '" + name + "'");
    }
  }
  Calibration result;
  result.cache_path = options.cache_path.empty() ? default_cache_path() : options.cache_path;
  const MachineSignature signature = MachineSignature::of(topology, options.switchyard_version);

  bool measure_everything = true;
  if (result.cache_path.empty()) {
    result.cache = CacheOutcome::disabled;
    result.cache_note = "no cache directory: neither XDG_CACHE_HOME nor HOME is set";
  } else if (options.recalibrate) {
    result.cache = CacheOutcome::ignored;
  } else if (Read read = read_cache(result.cache_path); read.missing) {
    result.cache = CacheOutcome::missing;
  } else if (!read.model) {
    result.cache = CacheOutcome::corrupt;
    result.cache_note = read.why;
  } else if (std::string changed = signature.differences(read.model->signature); !changed.empty()) {
    result.cache = CacheOutcome::stale;
    result.cache_note = std::move(changed);
  } else {
    measure_everything = false;
    result.model = std::move(*read.model);
    result.cache = CacheOutcome::hit;
    // Figures the cache lacks but a Measure can give: measure just those and write them back.
    for (const auto& [name, measure] : options.measures) {
      const FigureField& field = *find_figure_field(name);  // checked on entry
      Figure& figure = result.model.*field.member;
      if (figure.value) continue;
      figure = run(field, options);
      result.cache = CacheOutcome::topped_up;
    }
  }
  if (measure_everything) result.model = measure_all(signature, options);

  const bool changed = result.cache != CacheOutcome::hit;
  if (changed && !result.cache_path.empty()) {
    const std::string failure = write_cache(result.cache_path, result.model);
    result.cache_written = failure.empty();
    if (!failure.empty()) {
      result.cache_note += (result.cache_note.empty() ? "" : "; ") + failure;
    }
  }
  result.elapsed_ms = ms_since(start);
  return result;
}

}  // namespace switchyard
