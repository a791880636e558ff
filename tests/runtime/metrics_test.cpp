#include <catch2/catch.hpp>

#include <string>

#include <switchyard/net.hpp>
#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

sy::Config with_metrics(std::string address = "127.0.0.1:0") {
  auto config = sy::test::small_config();
  config.profiling.metrics = std::move(address);
  return config;
}

// get() sends `request` to the endpoint and returns all it answers, headers included.
std::string get(const std::string& address, const std::string& request) {
  sy::net::Socket s = sy::net::connect(address, std::chrono::seconds(10));
  s.write_all(request, std::chrono::seconds(10));
  std::string answer;
  char buffer[4096];
  while (std::size_t n = s.read_some(buffer, sizeof buffer, std::chrono::seconds(10))) {
    answer.append(buffer, n);
  }
  return answer;
}

std::string get_path(const std::string& address, const std::string& path) {
  return get(address, "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
}

}  // namespace

TEST_CASE("metrics: off by default", "[metrics]") {
  sy::Runtime rt(sy::test::small_config());
  CHECK(rt.metrics_address().empty());
}

TEST_CASE("metrics: /metrics is the Prometheus text format, per kind and per executor",
          "[metrics]") {
  sy::Runtime rt(with_metrics());
  REQUIRE_THAT(rt.metrics_address(), StartsWith("127.0.0.1:"));
  for (int i = 0; i < 10; ++i) rt.spawn("alpha", [] {}).get();
  rt.spawn(
        "quoted \"name\"\\\n", [] {}, sy::on(sy::Placement::blocking))
      .get();

  const std::string answer = get_path(rt.metrics_address(), "/metrics");
  CHECK_THAT(answer, StartsWith("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(answer, Contains("Content-Type: text/plain; version=0.0.4"));
  CHECK_THAT(answer, Contains("# TYPE switchyard_kind_tasks_total counter\n"));
  CHECK_THAT(answer, Contains("switchyard_kind_tasks_total{kind=\"alpha\"} 10\n"));
  // Where alpha runs is the policy's call (under TSan its tasks can measure as blocked): one
  // placement holds it.
  int placed = 0;
  for (const char* p : {"fiber", "cpu", "blocking", "shard"}) {
    placed += answer.find("switchyard_kind_placement{kind=\"alpha\",placement=\"" + std::string(p) +
                          "\"} 1\n") != std::string::npos;
  }
  CHECK(placed == 1);
  CHECK_THAT(answer, Contains("switchyard_kind_share{kind=\"alpha\",of=\"cpu\"} "));
  CHECK_THAT(answer, Contains("# TYPE switchyard_kind_wall_seconds histogram\n"));
  CHECK_THAT(answer,
             Contains("switchyard_kind_wall_seconds_bucket{kind=\"alpha\",le=\"+Inf\"} 10\n"));
  CHECK_THAT(answer, Contains("switchyard_kind_wall_seconds_count{kind=\"alpha\"} 10\n"));
  CHECK_THAT(answer, Contains("switchyard_kind_moves_total{kind=\"alpha\"} "));
  // A kind's name is the program's text: escaped as the format says.
  CHECK_THAT(answer,
             Contains("switchyard_kind_tasks_total{kind=\"quoted \\\"name\\\"\\\\\\n\"} 1\n"));
  for (const char* executor : {"fiber", "cpu", "blocking"}) {
    const std::string label = std::string("{executor=\"") + executor + "\"} ";
    CHECK_THAT(answer, Contains("switchyard_executor_workers" + label));
    CHECK_THAT(answer, Contains("switchyard_executor_busy" + label));
    CHECK_THAT(answer, Contains("switchyard_executor_queued" + label));
    CHECK_THAT(answer, Contains("switchyard_executor_stalls_total" + label));
  }
  CHECK_THAT(answer, Contains("switchyard_calibration_info{state=\""));
  CHECK_THAT(answer, Contains("switchyard_uptime_seconds "));
}

TEST_CASE("metrics: /report.json is the report; other paths and methods are refused", "[metrics]") {
  sy::Runtime rt(with_metrics());
  rt.spawn("alpha", [] {}).get();
  const std::string json = get_path(rt.metrics_address(), "/report.json");
  CHECK_THAT(json, StartsWith("HTTP/1.1 200 OK\r\n"));
  const std::string body = json.substr(json.find("\r\n\r\n") + 4);
  CHECK(sy::Report::from_json(body).kinds.size() == 1);
  CHECK_THAT(get_path(rt.metrics_address(), "/nothing"), StartsWith("HTTP/1.1 404 "));
  CHECK_THAT(get(rt.metrics_address(), "POST /metrics HTTP/1.1\r\n\r\n"),
             StartsWith("HTTP/1.1 405 "));
  const std::string head = get(rt.metrics_address(), "HEAD /metrics HTTP/1.1\r\n\r\n");
  CHECK_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  CHECK(head.find("switchyard_kind") == std::string::npos);
}

TEST_CASE("metrics: a request line past 8192 bytes is dropped, and the next is served",
          "[metrics]") {
  sy::Runtime rt(with_metrics());
  // At the bound: served (a path no one serves, answered 404).
  const std::string at = "GET /" + std::string(8192 - 16, 'a') + " HTTP/1.1";
  REQUIRE(at.size() == 8192 - 16 + 14);
  CHECK_THAT(get(rt.metrics_address(), at + "\r\n\r\n"), StartsWith("HTTP/1.1 404 "));
  // Past it: the connection is closed unanswered.
  const std::string past = "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n";
  std::string answer;
  try {
    answer = get(rt.metrics_address(), past);
  } catch (const sy::net::IoError&) {
    // The endpoint closed with the rest of the request unread: the peer may see a reset.
  }
  CHECK(answer.empty());
  CHECK_THAT(get_path(rt.metrics_address(), "/metrics"), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_CASE("metrics: an address already in use fails the Runtime, naming it", "[metrics]") {
  sy::net::Listener taken = sy::net::listen("127.0.0.1:0");
  try {
    sy::Runtime rt(with_metrics(taken.address()));
    FAIL("the runtime started on an address in use");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Contains("profiling.metrics = \"" + taken.address() + "\""));
  }
}

TEST_CASE("metrics: the endpoint says where it listens through the log sink", "[metrics]") {
  std::string said;
  sy::set_log_sink([&said](const sy::LogRecord& r) {
    if (r.event == "metrics_listening") said = std::string(r.field("address"));
  });
  {
    sy::Runtime rt(with_metrics());
    CHECK(said == rt.metrics_address());
  }
  sy::set_log_sink(nullptr);
}
