#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <switchyard/log.hpp>
#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;

namespace {

// Captured is one message as a sink saw it, copied out of the record's views.
struct Captured {
  sy::LogLevel level;
  std::string event;
  std::string text;
  std::map<std::string, std::string> fields;
};

// Capture is a sink that keeps every message, set for its own lifetime.
class Capture {
 public:
  Capture() {
    sy::set_log_sink([this](const sy::LogRecord& r) {
      Captured c{r.level, std::string(r.event), std::string(r.text), {}};
      for (const sy::LogField& f : r.fields) c.fields[std::string(f.name)] = std::string(f.value);
      std::lock_guard lk(mutex_);
      seen_.push_back(std::move(c));
    });
  }
  ~Capture() { sy::set_log_sink(nullptr); }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  std::vector<Captured> of(const std::string& event) {
    std::lock_guard lk(mutex_);
    std::vector<Captured> out;
    for (const Captured& c : seen_) {
      if (c.event == event) out.push_back(c);
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<Captured> seen_;
};

}  // namespace

TEST_CASE("log: a sink the program sets receives the watchdog's stall with its fields", "[log]") {
  Capture capture;
  {
    sy::Runtime rt(sy::test::small_config());
    // Blocked until the watchdog has said so, or for 30 s: a monitor thread that the machine
    // held back through a single 100 ms block would have seen nothing.
    rt.spawn(
          "stuck",
          [&capture] {
            const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            do {
              ::usleep(100'000);
            } while (capture.of("stall").empty() && std::chrono::steady_clock::now() < give_up);
          },
          sy::on(sy::Placement::fiber))
        .get();
  }
  const std::vector<Captured> stalls = capture.of("stall");
  REQUIRE_FALSE(stalls.empty());
  const Captured& s = stalls.front();
  CHECK(s.level == sy::LogLevel::info);
  CHECK(s.fields.at("kind") == "stuck");
  CHECK(s.fields.at("executor") == "fiber");
  CHECK_FALSE(s.fields.at("worker").empty());
  CHECK(s.fields.at("blocked") == "true");
  CHECK(s.text.find("kind 'stuck'") != std::string::npos);
}

TEST_CASE("log: a shutdown that cannot write its report says so through the sink", "[log]") {
  Capture capture;
  auto config = sy::test::small_config();
  config.profiling.report = "/nonexistent-switchyard-dir/report.json";
  {
    sy::Runtime rt(config);
    rt.spawn("quick", [] {}).get();
  }
  const std::vector<Captured> failed = capture.of("shutdown_write_failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed.front().level == sy::LogLevel::warning);
  CHECK(failed.front().text.find("/nonexistent-switchyard-dir/report.json") != std::string::npos);
}

TEST_CASE("log: a sink that throws loses its message, never the runtime's work", "[log]") {
  sy::set_log_sink([](const sy::LogRecord&) { throw std::runtime_error("sink is full"); });
  {
    sy::Runtime rt(sy::test::small_config());
    CHECK(rt.spawn(
                "stuck",
                [] {
                  ::usleep(100'000);
                  return 7;
                },
                sy::on(sy::Placement::fiber))
              .get() == 7);
  }
  sy::set_log_sink(nullptr);
}

TEST_CASE("log: level names", "[log]") {
  CHECK(sy::to_string(sy::LogLevel::debug) == "debug");
  CHECK(sy::to_string(sy::LogLevel::info) == "info");
  CHECK(sy::to_string(sy::LogLevel::warning) == "warning");
  CHECK(sy::to_string(sy::LogLevel::error) == "error");
}
