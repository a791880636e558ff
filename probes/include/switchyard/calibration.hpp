// Calibration: measuring the MachineModel, or reading it back from the on-disk cache.
#pragma once

#include <switchyard/machine_model.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard {

class Topology;

// kMaxCacheBytes and kMaxCacheDepth bound the cache file calibrate() reads, which is a few KiB
// and 4 levels deep: a larger or deeper file is corrupt, and is recalibrated and overwritten.
inline constexpr std::size_t kMaxCacheBytes = std::size_t{1} << 20;
inline constexpr int kMaxCacheDepth = 16;

// Measure: how a caller adds a figure that probes/ cannot measure (the executor hand-offs),
// or replaces a built-in measurement: the seam between the layers. probes/ knows the figure's
// name, the runtime knows how to measure it (it registers the hand-offs). It runs on the
// thread calling calibrate(); it returns Figure::measured() or Figure::missing() with a
// reason.
using Measure = std::function<Figure()>;

// CalibrationOptions: what calibrate() measures and where it caches the result.
struct CalibrationOptions {
  // switchyard_version goes into the signature, so a new version recalibrates.
  std::string switchyard_version;
  // cache_path is the cache file; empty means default_cache_path(). Tests point it into a
  // temporary directory.
  std::filesystem::path cache_path;
  // recalibrate ignores the cache and measures everything (then writes the cache).
  bool recalibrate = false;
  // measures, keyed by figure name (FigureField::name, e.g. "cpu_pool_handoff_ns"), run
  // instead of the built-in measurement, or where there is none. A cached model that lacks a
  // figure some Measure can give gets that figure measured and written back.
  std::map<std::string, Measure, std::less<>> measures;
};

// CacheOutcome: what calibrate() made of the cache file.
enum class CacheOutcome {
  hit,        // read it; nothing measured
  topped_up,  // read it, measured the figures it lacked that a Measure gives, wrote it back
  missing,    // no file: measured
  stale,      // another machine signature: measured and overwrote
  corrupt,    // unreadable, bad JSON, wrong types, missing fields: measured and overwrote
  ignored,    // CalibrationOptions::recalibrate: measured and overwrote
  disabled,   // no cache path (no XDG_CACHE_HOME or HOME): measured, nothing written
};

// to_string() spells an outcome as reports do ("hit", "topped-up", ...). Never blocks; any
// thread.
std::string_view to_string(CacheOutcome outcome) noexcept;

// Calibration: a model and how calibrate() obtained it.
struct Calibration {
  MachineModel model;
  CacheOutcome cache = CacheOutcome::missing;
  std::string cache_note;  // why it was stale or corrupt, and any failure to write
  std::filesystem::path cache_path;
  bool cache_written = false;
  double elapsed_ms = 0;  // wall time of the calibrate() call
};

// default_cache_path() is $XDG_CACHE_HOME/switchyard/machine-model.json, or
// $HOME/.cache/switchyard/machine-model.json, or empty when neither is set to an absolute
// path. Reads getenv(), so not while another thread calls setenv(); never blocks.
std::filesystem::path default_cache_path();

// calibrate() reads the cached model when its signature matches this machine, else runs the
// microbenchmarks (microbenchmarks.hpp) and the options' measures and rewrites the cache
// (atomically: a temporary file renamed over it). Blocks: well under 1 ms plus file I/O on a
// warm cache, a few hundred milliseconds cold. Call from any thread; calls in one process take
// turns (a second waits for the first). It forks a short-lived child process. Never throws for a
// bad or unwritable cache (the outcome and note say what happened); throws std::invalid_argument
// when a measure names no figure.
Calibration calibrate(const Topology& topology, const CalibrationOptions& options);

}  // namespace switchyard
