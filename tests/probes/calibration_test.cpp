#include <switchyard/calibration.hpp>
#include <switchyard/machine_model.hpp>
#include <switchyard/microbenchmarks.hpp>
#include <switchyard/topology.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "../temp_dir.hpp"

namespace sy = switchyard;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using sy::test::TempDir;

namespace {

// fake_value() is what fake_measures(base, ...) gives the figure called `name`: base plus its
// position in figure_fields().
double fake_value(double base, std::string_view name) {
  const sy::FigureField* field = sy::find_figure_field(name);
  if (field == nullptr) throw std::logic_error("no figure is called " + std::string(name));
  return base + static_cast<double>(field - sy::figure_fields().data());
}

// fake_measures() stands in for every figure with fake_value(base, its name), counting the
// calls, so cache behaviour is tested in microseconds and with known values.
std::map<std::string, sy::Measure, std::less<>> fake_measures(double base, int& calls) {
  std::map<std::string, sy::Measure, std::less<>> measures;
  for (const sy::FigureField& field : sy::figure_fields()) {
    measures.emplace(std::string(field.name), [value = fake_value(base, field.name), &calls] {
      ++calls;
      return sy::Figure::measured(value, "fake");
    });
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

// CacheTest: what the cache tests start from: a cache file path in a fresh directory (the file
// not yet there), this machine's topology, and a count of fake Measure calls.
struct CacheTest {
  TempDir dir{"switchyard-calibration"};
  fs::path cache = dir.path() / "machine-model.json";
  const sy::Topology topology = sy::Topology::discover();
  int calls = 0;
};

// NestedCacheTest: the same with the cache file in a directory that does not exist yet.
struct NestedCacheTest : CacheTest {
  NestedCacheTest() { cache = dir.path() / "sub" / "machine-model.json"; }
};

}  // namespace

TEST_CASE_METHOD(CacheTest,
                 "a cold calibration measures plausible figures and leaves hand-offs unmeasured",
                 "[calibration]") {
  sy::CalibrationOptions options;
  options.switchyard_version = "test";
  options.cache_path = cache;
  const sy::Calibration cold = sy::calibrate(topology, options);
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

TEST_CASE_METHOD(NestedCacheTest,
                 "the cache round-trips the model and a warm start measures nothing",
                 "[calibration]") {
  const sy::Calibration cold = sy::calibrate(topology, fake_options(cache, 10, calls));
  CHECK(cold.cache == sy::CacheOutcome::missing);
  CHECK(cold.cache_written);
  CHECK(calls == std::ssize(sy::figure_fields()));
  REQUIRE(fs::exists(cache));

  const sy::Calibration warm = sy::calibrate(topology, fake_options(cache, 50, calls));
  CHECK(warm.cache == sy::CacheOutcome::hit);
  CHECK_FALSE(warm.cache_written);
  CHECK(calls == std::ssize(sy::figure_fields()));
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
    CHECK(calls == 2 * std::ssize(sy::figure_fields()));
    CHECK(again.model.fiber_switch_ns.value == fake_value(50, "fiber_switch_ns"));
    CHECK(sy::calibrate(topology, fake_options(cache, 90, calls)).model.fiber_switch_ns.value ==
          fake_value(50, "fiber_switch_ns"));
  }
}

TEST_CASE_METHOD(CacheTest, "a changed machine signature invalidates the cache", "[calibration]") {
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
  dir.write(cache, file.dump());

  const sy::Calibration result = sy::calibrate(topology, fake_options(cache, 30, calls));
  CHECK(result.cache == sy::CacheOutcome::stale);
  CHECK_THAT(result.cache_note, Contains(field));
  CHECK(result.cache_written);
  CHECK(result.model.fiber_switch_ns.value == fake_value(30, "fiber_switch_ns"));
  CHECK(result.model.fiber_switch_ns.source == sy::FigureSource::measured);
  CHECK(sy::calibrate(topology, fake_options(cache, 70, calls)).cache == sy::CacheOutcome::hit);

  SECTION("so does another Switchyard version") {
    sy::CalibrationOptions options = fake_options(cache, 40, calls);
    options.switchyard_version = "test-next";
    const sy::Calibration next = sy::calibrate(topology, options);
    CHECK(next.cache == sy::CacheOutcome::stale);
    CHECK_THAT(next.cache_note, Contains("switchyard_version test -> test-next"));
  }
}

TEST_CASE_METHOD(CacheTest, "a corrupt cache is recalibrated and overwritten, never a crash",
                 "[calibration]") {
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
  dir.write(cache, corrupt);
  INFO("cache file: " << corrupt);

  const sy::Calibration result = sy::calibrate(topology, fake_options(cache, 20, calls));
  CHECK(result.cache == sy::CacheOutcome::corrupt);
  CHECK_FALSE(result.cache_note.empty());
  CHECK(result.cache_written);
  CHECK(result.model.syscall_ns.value == fake_value(20, "syscall_ns"));
  const sy::Calibration healed = sy::calibrate(topology, fake_options(cache, 60, calls));
  CHECK(healed.cache == sy::CacheOutcome::hit);
  CHECK(healed.model.syscall_ns.value == fake_value(20, "syscall_ns"));
}

TEST_CASE_METHOD(CacheTest, "a cache file at its bounds is read, one past them is recalibrated",
                 "[calibration]") {
  sy::calibrate(topology, fake_options(cache, 10, calls));
  const nlohmann::json good = nlohmann::json::parse(read_text(cache));
  // with_nesting() is the good cache with one more member, `levels` arrays deep.
  const auto with_nesting = [&good](int levels) {
    const auto count = static_cast<std::size_t>(levels);
    std::string text = good.dump();
    text.pop_back();  // the closing brace
    return text + R"(, "deep": )" + std::string(count, '[') + std::string(count, ']') + "}";
  };
  // padded() is the good cache, padded with spaces to `bytes`.
  const auto padded = [&good](std::size_t bytes) {
    std::string text = good.dump();
    REQUIRE(text.size() <= bytes);
    return text + std::string(bytes - text.size(), ' ');
  };
  const std::string too_deep =
      "nested deeper than " + std::to_string(sy::kMaxCacheDepth) + " levels";
  const std::string too_large =
      cache.string() + ": is larger than " + std::to_string(sy::kMaxCacheBytes) + " bytes";

  // The members nest one level inside the outermost object: arrays kMaxCacheDepth - 1 deep
  // bring the innermost to the bound's last level.
  dir.write(cache, with_nesting(sy::kMaxCacheDepth - 1));
  CHECK(sy::calibrate(topology, fake_options(cache, 20, calls)).cache == sy::CacheOutcome::hit);
  dir.write(cache, padded(sy::kMaxCacheBytes));
  CHECK(sy::calibrate(topology, fake_options(cache, 20, calls)).cache == sy::CacheOutcome::hit);

  for (const auto& [text, reason] :
       {std::pair(with_nesting(sy::kMaxCacheDepth), too_deep),
        std::pair(std::string(100'000, '[') + std::string(100'000, ']'), too_deep),
        std::pair(padded(sy::kMaxCacheBytes + 1), too_large)}) {
    INFO(reason);
    dir.write(cache, text);
    const sy::Calibration result = sy::calibrate(topology, fake_options(cache, 20, calls));
    CHECK(result.cache == sy::CacheOutcome::corrupt);
    CHECK(result.cache_note == reason);
    CHECK(result.cache_written);
    CHECK(result.model.syscall_ns.value == fake_value(20, "syscall_ns"));
  }
}

TEST_CASE_METHOD(CacheTest, "a cache path that is not a regular file is recalibrated, never read",
                 "[calibration]") {
  SECTION("a FIFO, which would block a read until a writer comes") {
    REQUIRE(::mkfifo(cache.c_str(), 0600) == 0);
    auto calibration = std::async(std::launch::async, [&] {
      return sy::calibrate(topology, fake_options(cache, 10, calls));
    });
    if (calibration.wait_for(60s) != std::future_status::ready) {
      // A writer lets the blocked read end, so the test ends either way.
      const int writer = ::open(cache.c_str(), O_WRONLY | O_NONBLOCK);
      if (writer >= 0) ::close(writer);
      FAIL("calibrate() blocked on a FIFO");
    }
    const sy::Calibration result = calibration.get();
    CHECK(result.cache == sy::CacheOutcome::corrupt);
    CHECK_THAT(result.cache_note, StartsWith(cache.string() + ": is a FIFO, not a regular file"));
  }
  SECTION("a directory") {
    fs::create_directory(cache);
    const sy::Calibration result = sy::calibrate(topology, fake_options(cache, 10, calls));
    CHECK(result.cache == sy::CacheOutcome::corrupt);
    CHECK_THAT(result.cache_note,
               StartsWith(cache.string() + ": is a directory, not a regular file"));
  }
}

TEST_CASE_METHOD(CacheTest, "an unmeasured figure stays unmeasured until a Measure gives it",
                 "[calibration]") {
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

TEST_CASE_METHOD(CacheTest, "calibration survives an unwritable cache and rejects unknown figures",
                 "[calibration]") {
  dir.write("file", "a file where a directory should be");
  const sy::Calibration result =
      sy::calibrate(topology, fake_options(dir.path() / "file" / "machine-model.json", 10, calls));
  CHECK(result.cache == sy::CacheOutcome::missing);
  CHECK_FALSE(result.cache_written);
  CHECK_THAT(result.cache_note, Contains("cannot create"));
  CHECK(result.model.syscall_ns.value == fake_value(10, "syscall_ns"));

  sy::CalibrationOptions options = fake_options(dir.path() / "m.json", 10, calls);
  options.measures["fiber_switch_us"] = [] { return sy::Figure::measured(1); };
  CHECK_THROWS_AS(sy::calibrate(topology, options), std::invalid_argument);
}
