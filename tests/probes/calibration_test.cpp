#include <switchyard/calibration.hpp>
#include <switchyard/machine_model.hpp>
#include <switchyard/microbenchmarks.hpp>
#include <switchyard/topology.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace sy = switchyard;
namespace fs = std::filesystem;

namespace {

// TempDir: a fresh directory under the system's temporary directory, removed with its
// contents at the end of the test, so no test ever touches the real cache.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "switchyard-calibration-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// fake_measures() stands in for every figure with value base + i (the i-th figure), counting
// the calls, so cache behaviour is tested in microseconds and with known values.
std::map<std::string, sy::Measure, std::less<>> fake_measures(double base, int& calls) {
  std::map<std::string, sy::Measure, std::less<>> measures;
  double value = base;
  for (const sy::FigureField& field : sy::figure_fields()) {
    measures.emplace(std::string(field.name), [value, &calls] {
      ++calls;
      return sy::Figure::measured(value, "fake");
    });
    value += 1;
  }
  return measures;
}

sy::CalibrationOptions fake_options(const fs::path& cache, double base, int& calls) {
  sy::CalibrationOptions options;
  options.switchyard_version = "test";
  options.cache_path = cache;
  options.measures = fake_measures(base, calls);
  return options;
}

std::string read_text(const fs::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("a cold calibration measures plausible figures and leaves hand-offs unmeasured",
          "[calibration]") {
  TempDir dir;
  sy::CalibrationOptions options;
  options.switchyard_version = "test";
  options.cache_path = dir.path / "machine-model.json";
  const sy::Calibration cold = sy::calibrate(sy::Topology::discover(), options);
  CHECK(cold.cache == sy::CacheOutcome::missing);
  CHECK(cold.cache_written);
  // Loose: the target is 1 s on a 2-core machine; a loaded machine must not fail the test.
  CHECK(cold.elapsed_ms < 10'000);
  CHECK(cold.model.calibration_ms > 0);

  const sy::MachineModel& model = cold.model;
  const auto check = [](const sy::Figure& figure, double low, double high) {
    INFO(figure.note);
    REQUIRE(figure.value);
    CHECK(figure.source == sy::FigureSource::measured);
    CHECK(*figure.value > low);
    CHECK(*figure.value < high);
  };
  check(model.fiber_switch_ns, 1, 1e6);
  check(model.fiber_spawn_join_ns, 1, 1e7);
  check(model.syscall_ns, 1, 1e6);
  check(model.process_round_trip_ns, 100, 1e8);
  check(model.serialize_ns_per_byte, 1e-4, 100);
  check(model.spin_iters_per_second_per_core, 1e6, 1e11);
  for (const sy::Figure* handoff : {&model.cpu_pool_handoff_ns, &model.blocking_pool_handoff_ns}) {
    CHECK_FALSE(handoff->value);
    CHECK(handoff->source == sy::FigureSource::not_measured);
    CHECK_FALSE(handoff->note.empty());
  }
}

TEST_CASE("spin() matches the BENCHMARKS.md test vector", "[calibration]") {
  std::uint64_t sum = 0;
  for (std::uint64_t i = 0; i < 20; ++i) sum += sy::spin(i, 200'000);
  CHECK(sum == 12944723528927218710ULL);
}

TEST_CASE("the cache round-trips the model and a warm start measures nothing", "[calibration]") {
  TempDir dir;
  const fs::path cache = dir.path / "sub" / "machine-model.json";
  const sy::Topology topology = sy::Topology::discover();
  int calls = 0;
  const sy::Calibration cold = sy::calibrate(topology, fake_options(cache, 10, calls));
  CHECK(cold.cache == sy::CacheOutcome::missing);
  CHECK(cold.cache_written);
  CHECK(calls == 8);
  REQUIRE(fs::exists(cache));

  const sy::Calibration warm = sy::calibrate(topology, fake_options(cache, 50, calls));
  CHECK(warm.cache == sy::CacheOutcome::hit);
  CHECK_FALSE(warm.cache_written);
  CHECK(calls == 8);
  CHECK(warm.elapsed_ms < 1000);  // the target is 10 ms; loose so a loaded machine passes
  CHECK(warm.model.signature == cold.model.signature);
  CHECK(warm.model.calibration_ms == cold.model.calibration_ms);
  for (const sy::FigureField& field : sy::figure_fields()) {
    INFO(field.name);
    const sy::Figure& before = cold.model.*field.member;
    const sy::Figure& after = warm.model.*field.member;
    CHECK(before.source == sy::FigureSource::measured);
    CHECK(after.source == sy::FigureSource::cached);
    CHECK(after.value == before.value);
    CHECK(after.note == before.note);
  }

  SECTION("recalibrate ignores the cache and rewrites it") {
    sy::CalibrationOptions options = fake_options(cache, 50, calls);
    options.recalibrate = true;
    const sy::Calibration again = sy::calibrate(topology, options);
    CHECK(again.cache == sy::CacheOutcome::ignored);
    CHECK(again.cache_written);
    CHECK(calls == 16);
    CHECK(again.model.fiber_switch_ns.value == 50);
    CHECK(sy::calibrate(topology, fake_options(cache, 90, calls)).model.fiber_switch_ns.value ==
          50);
  }
}

TEST_CASE("a changed machine signature invalidates the cache", "[calibration]") {
  TempDir dir;
  const fs::path cache = dir.path / "machine-model.json";
  const sy::Topology topology = sy::Topology::discover();
  int calls = 0;
  sy::calibrate(topology, fake_options(cache, 10, calls));

  const std::string field =
      GENERATE("cpu_model", "cores", "hardware_threads", "kernel_release", "switchyard_version");
  nlohmann::json file = nlohmann::json::parse(read_text(cache));
  auto& recorded = file["signature"][field];
  if (recorded.is_string()) {
    recorded = recorded.get<std::string>() + "-elsewhere";
  } else {
    recorded = recorded.get<std::size_t>() + 7;
  }
  write_text(cache, file.dump());

  const sy::Calibration result = sy::calibrate(topology, fake_options(cache, 30, calls));
  CHECK(result.cache == sy::CacheOutcome::stale);
  CHECK(contains(result.cache_note, field));
  CHECK(result.cache_written);
  CHECK(result.model.fiber_switch_ns.value == 30);
  CHECK(result.model.fiber_switch_ns.source == sy::FigureSource::measured);
  CHECK(sy::calibrate(topology, fake_options(cache, 70, calls)).cache == sy::CacheOutcome::hit);

  SECTION("so does another Switchyard version") {
    sy::CalibrationOptions options = fake_options(cache, 40, calls);
    options.switchyard_version = "test-next";
    const sy::Calibration next = sy::calibrate(topology, options);
    CHECK(next.cache == sy::CacheOutcome::stale);
    CHECK(contains(next.cache_note, "switchyard_version test -> test-next"));
  }
}

TEST_CASE("a corrupt cache is recalibrated and overwritten, never a crash", "[calibration]") {
  TempDir dir;
  const fs::path cache = dir.path / "machine-model.json";
  const sy::Topology topology = sy::Topology::discover();
  int calls = 0;
  sy::calibrate(topology, fake_options(cache, 10, calls));
  const std::string good = read_text(cache);
  const nlohmann::json parsed = nlohmann::json::parse(good);

  const auto with = [&parsed](const std::string& pointer, const nlohmann::json& value) {
    nlohmann::json changed = parsed;
    changed[nlohmann::json::json_pointer(pointer)] = value;
    return changed.dump();
  };
  const auto without = [&parsed](const std::string& object, const std::string& key) {
    nlohmann::json changed = parsed;
    changed[nlohmann::json::json_pointer(object)].erase(key);
    return changed.dump();
  };
  const std::string corrupt = GENERATE_COPY(
      std::string(), std::string("{ not json"), good.substr(0, good.size() / 2),
      std::string("[1, 2, 3]"), std::string("\0\xff\xfe binary", 10), with("/format", 99),
      with("/signature/cores", "two"), with("/signature/cores", -2),
      with("/signature/cpu_model", 5), with("/figures/syscall_ns/value", "fast"),
      with("/figures/syscall_ns/value", -1.0), with("/figures/syscall_ns/value", 0),
      with("/figures/syscall_ns", nlohmann::json::array()), with("/calibration_ms", "soon"),
      without("/figures", "spin_iters_per_second_per_core"),
      without("/figures/fiber_switch_ns", "value"), without("", "signature"));
  write_text(cache, corrupt);
  INFO("cache file: " << corrupt);

  const sy::Calibration result = sy::calibrate(topology, fake_options(cache, 20, calls));
  CHECK(result.cache == sy::CacheOutcome::corrupt);
  CHECK_FALSE(result.cache_note.empty());
  CHECK(result.cache_written);
  CHECK(result.model.syscall_ns.value == 26);
  const sy::Calibration healed = sy::calibrate(topology, fake_options(cache, 60, calls));
  CHECK(healed.cache == sy::CacheOutcome::hit);
  CHECK(healed.model.syscall_ns.value == 26);
}

TEST_CASE("an unmeasured figure stays unmeasured until a Measure gives it", "[calibration]") {
  TempDir dir;
  const fs::path cache = dir.path / "machine-model.json";
  const sy::Topology topology = sy::Topology::discover();
  int calls = 0;
  sy::CalibrationOptions options = fake_options(cache, 10, calls);
  options.measures.erase("cpu_pool_handoff_ns");
  options.measures["blocking_pool_handoff_ns"] = [] {
    return sy::Figure{std::nullopt, sy::FigureSource::measured, "the pool would not start"};
  };
  const sy::Calibration cold = sy::calibrate(topology, options);
  for (const sy::Figure* figure :
       {&cold.model.cpu_pool_handoff_ns, &cold.model.blocking_pool_handoff_ns}) {
    CHECK_FALSE(figure->value);
    CHECK(figure->source == sy::FigureSource::not_measured);
    CHECK_FALSE(figure->note.empty());
  }
  CHECK(cold.model.blocking_pool_handoff_ns.note == "the pool would not start");

  options.measures.erase("blocking_pool_handoff_ns");
  const sy::Calibration warm = sy::calibrate(topology, options);
  CHECK(warm.cache == sy::CacheOutcome::hit);
  CHECK_FALSE(warm.model.cpu_pool_handoff_ns.value);
  CHECK(warm.model.cpu_pool_handoff_ns.source == sy::FigureSource::not_measured);
  CHECK(warm.model.blocking_pool_handoff_ns.note == "the pool would not start");

  SECTION("a Measure registered later tops the cache up with just that figure") {
    const int before = calls;
    options.measures["cpu_pool_handoff_ns"] = [] { return sy::Figure::measured(1234); };
    const sy::Calibration topped = sy::calibrate(topology, options);
    CHECK(topped.cache == sy::CacheOutcome::topped_up);
    CHECK(topped.cache_written);
    CHECK(calls == before);
    CHECK(topped.model.cpu_pool_handoff_ns.value == 1234);
    CHECK(topped.model.cpu_pool_handoff_ns.source == sy::FigureSource::measured);
    CHECK(topped.model.fiber_switch_ns.source == sy::FigureSource::cached);
    CHECK_FALSE(topped.model.blocking_pool_handoff_ns.value);
    const sy::Calibration after = sy::calibrate(topology, options);
    CHECK(after.cache == sy::CacheOutcome::hit);
    CHECK(after.model.cpu_pool_handoff_ns.source == sy::FigureSource::cached);
  }
}

TEST_CASE("calibration survives an unwritable cache and rejects unknown figures", "[calibration]") {
  TempDir dir;
  const sy::Topology topology = sy::Topology::discover();
  write_text(dir.path / "file", "a file where a directory should be");
  int calls = 0;
  const sy::Calibration result =
      sy::calibrate(topology, fake_options(dir.path / "file" / "machine-model.json", 10, calls));
  CHECK(result.cache == sy::CacheOutcome::missing);
  CHECK_FALSE(result.cache_written);
  CHECK(contains(result.cache_note, "cannot create"));
  CHECK(result.model.syscall_ns.value == 16);

  sy::CalibrationOptions options = fake_options(dir.path / "m.json", 10, calls);
  options.measures["fiber_switch_us"] = [] { return sy::Figure::measured(1); };
  CHECK_THROWS_AS(sy::calibrate(topology, options), std::invalid_argument);
}
