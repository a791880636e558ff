#include "report/html_page.hpp"

#include <fmt/core.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <regex>
#include <string>

#include <switchyard/report.hpp>

#include "fixture.hpp"
#include "report/text.hpp"

namespace rt = switchyard::report_tool;
namespace sy = switchyard;
namespace test = switchyard::test;
using Catch::Matchers::Contains;

namespace {

std::string page_of(const nlohmann::ordered_json& report, const std::string& title = "run") {
  return rt::html_page(sy::Report::from_json(report.dump()), {title, "run.json"});
}

// check_geometry() checks every coordinate and size in the page's SVG is a finite number and
// no size is negative: what a division by a zero span would break.
void check_geometry(const std::string& page) {
  static const std::regex attribute(R"re(\b(x|y|x1|y1|x2|y2|width|height)="([^"]*)")re");
  std::size_t checked = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), attribute);
       it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    const std::string value = (*it)[2];
    INFO(name << "=\"" << value << "\"");
    std::size_t used = 0;
    const double number = std::stod(value, &used);
    CHECK(used == value.size());
    CHECK(std::isfinite(number));
    if (name == "width" || name == "height") CHECK(number >= 0);
    ++checked;
  }
  CHECK(checked > 0);
  static const std::regex path(R"re(\bd="[^"]*(nan|inf)[^"]*")re", std::regex::icase);
  CHECK_FALSE(std::regex_search(page, path));
}

}  // namespace

TEST_CASE("the fixture is a report the library reads, every figure on the page", "[page]") {
  const sy::Report report = sy::Report::from_json(test::fixture_text());
  CHECK(report.kinds.size() == 3);
  CHECK(report.executors.size() == 4);
  CHECK(report.counters.events.size() == 6);
  REQUIRE(report.calibration.model);
  CHECK_FALSE(report.calibration.model->process_round_trip_ns.value);
  const std::string page = rt::html_page(report, {"run", "run.json"});
  for (const sy::FigureField& field : sy::figure_fields()) {
    INFO(field.name);
    CHECK_THAT(page, Contains(fmt::format("<td>{}</td>", field.name)));
  }
  CHECK_THAT(page, Contains("<td>process_round_trip_ns</td><td class=\"n\"><span "
                            "class=\"missing\">not measured</span>"));
}

TEST_CASE("the page has the three charts and escapes every name", "[page]") {
  const std::string page = page_of(test::fixture_json(), R"(Run <1> & "two")");
  CHECK(test::count(page, "<svg class=\"chart\"") == 3);
  CHECK_THAT(page, Contains(R"(id="chart-breakdown")") && Contains(R"(id="chart-placement")") &&
                       Contains(R"(id="chart-latency")"));
  CHECK_THAT(page, Contains("<title>Run &lt;1&gt; &amp; &quot;two&quot;</title>"));
  CHECK(page.find(R"(hash<sha256>)") == std::string::npos);
  CHECK(page.find(R"("crc")") == std::string::npos);
  // The name in the table, the three charts' labels and tooltips, and the moves table.
  CHECK(test::count(page, "hash&lt;sha256&gt; &amp; &quot;crc&quot;") >= 6);
  CHECK_THAT(page, Contains("cpu share &gt;= threshold"));
  check_geometry(page);
}

TEST_CASE("the page loads nothing from elsewhere", "[page]") {
  const std::string page = page_of(test::fixture_json());
  for (const char* reference : {"http:", "https:", "//", "url(", "<link", "src=", "@import"}) {
    INFO(reference);
    CHECK(page.find(reference) == std::string::npos);
  }
}

TEST_CASE("the charts show the report's figures", "[page]") {
  const std::string page = page_of(test::fixture_json());
  // Breakdown: the CPU kind's share on a CPU; placement: its move, with the rule's figures;
  // latency: the sleeping kind's one bin.
  CHECK_THAT(page, Contains("hash&lt;sha256&gt; &amp; &quot;crc&quot;: 81% of wall time on a CPU"));
  CHECK_THAT(page, Contains("at 3.1 ms: fiber → cpu\nrule: cpu share &gt;= threshold\n"
                            "measured 0.93, threshold 0.6"));
  CHECK_THAT(page, Contains("read_file: fiber from 95 ms to 121 ms"));
  CHECK_THAT(page, Contains("read_file: blocking from 121 ms to 2.81 s"));
  CHECK_THAT(page, Contains("poll_timer: fiber from 850 µs to 2.81 s"));
  CHECK_THAT(page, Contains("poll_timer: 10 ms to 17.8 ms: 1,300 tasks (100%)"));
  CHECK_THAT(page, Contains(">0.5 s</text>"));
  CHECK_THAT(page, Contains(">100 µs</text>"));
  CHECK_THAT(page, Contains(R"(<pre id="selfcheck">)"));
}

TEST_CASE("an empty or idle report still draws three charts without NaN", "[page]") {
  nlohmann::ordered_json report = test::fixture_json();
  SECTION("no kinds") {
    report["kinds"] = nlohmann::ordered_json::array();
    const std::string page = page_of(report);
    CHECK(test::count(page, "<svg class=\"chart\"") == 3);
    CHECK(test::count(page, "no task kinds in this report") == 3);
    check_geometry(page);
  }
  SECTION("zero uptime, and a kind with no measured task") {
    report["uptime_ns"] = 0;
    nlohmann::ordered_json& kind = report["kinds"][1];
    kind["first_seen_ns"] = 0;
    kind["measured"] = 0;
    kind["counted"] = 0;
    kind["wall_histogram"] = nlohmann::ordered_json::array();
    kind["shares_of_wall"] = {{"cpu", 0}, {"blocked", 0}, {"wait", 0}, {"join", 0}, {"queued", 0}};
    for (nlohmann::ordered_json& other : report["kinds"]) {
      other["first_seen_ns"] = 0;
      other["history"] = nlohmann::ordered_json::array();
    }
    const std::string page = page_of(report);
    CHECK(test::count(page, "no measured tasks") == 2);  // breakdown and latency rows
    CHECK_THAT(page, Contains("uptime 0 ·"));
    check_geometry(page);
  }
  SECTION("every kind idle") {
    for (nlohmann::ordered_json& kind : report["kinds"]) {
      kind["measured"] = 0;
      kind["wall_histogram"] = nlohmann::ordered_json::array();
    }
    check_geometry(page_of(report));
  }
}

TEST_CASE("text helpers escape and print units", "[page]") {
  CHECK(rt::escape(R"(<a href='x'>&"</a>)") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
  CHECK(sy::duration_text(0) == "0");
  CHECK(sy::duration_text(850) == "850 ns");
  CHECK(sy::duration_text(12500) == "12.5 µs");
  CHECK(sy::duration_text(2812000000) == "2.81 s");
  CHECK(rt::percent_text(0.0004) == "<0.1%");
  CHECK(rt::percent_text(0.123) == "12.3%");
  CHECK(rt::count_text(1048576) == "1,048,576");
}
