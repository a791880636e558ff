// switchyard-top: a live console for a running program, in the spirit of tokio-console. It
// attaches to the program's metrics endpoint (profiling.metrics, docs/observability.md) and
// redraws every interval: its kinds, where each runs now, its moves as they happen, stalls,
// and the executors.
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <switchyard/report.hpp>

#include "top/http_get.hpp"
#include "top/screen.hpp"

namespace top = switchyard::top;

namespace {

int terminal_width() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 120;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Shows a running Switchyard program live, from its metrics endpoint.",
               "switchyard-top");
  std::string address;
  int interval_ms = 1000;
  bool once = false;
  app.add_option("address", address, "the program's profiling.metrics, host:port")->required();
  app.add_option("-i,--interval-ms", interval_ms, "time between redraws")
      ->check(CLI::Range(100, 60'000));
  app.add_flag("--once", once, "print one screen, without clearing, and exit");
  CLI11_PARSE(app, argc, argv);

  const auto interval = std::chrono::milliseconds(interval_ms);
  const auto timeout = std::max(interval, std::chrono::milliseconds(2000));
  top::Screen screen;
  for (;;) {
    std::string text;
    try {
      const switchyard::Report report =
          switchyard::Report::from_json(top::http_get(address, "/report.json", timeout));
      const switchyard::LoadView load =
          top::executor_load(top::http_get(address, "/metrics", timeout));
      text = screen.render(address, report, load, terminal_width());
    } catch (const std::exception& e) {
      if (once) {
        fmt::print(stderr, "switchyard-top: {}\n", e.what());
        return 1;
      }
      text = fmt::format("switchyard-top: {}\n(trying again every {} ms; Ctrl-C quits)\n", e.what(),
                         interval_ms);
    }
    if (once) {
      fmt::print("{}", text);
      return 0;
    }
    // Home, draw, clear what the previous screen left below.
    fmt::print("\x1b[H{}\x1b[J", text);
    std::fflush(stdout);
    std::this_thread::sleep_for(interval);
  }
}
