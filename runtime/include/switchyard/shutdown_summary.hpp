// ShutdownSummary: what Runtime::shutdown() did with the tasks it found.
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace switchyard {

// ShutdownSummary counts, per kind, the tasks that finished during shutdown and those it
// cancelled (never started, or woken from a Switchyard wait with TaskCancelled).
struct ShutdownSummary {
  struct Counts {
    std::size_t finished = 0;
    std::size_t cancelled = 0;
  };
  std::map<std::string, Counts, std::less<>> kinds;

  std::size_t finished() const noexcept {
    std::size_t n = 0;
    for (const auto& [name, c] : kinds) n += c.finished;
    return n;
  }
  std::size_t cancelled() const noexcept {
    std::size_t n = 0;
    for (const auto& [name, c] : kinds) n += c.cancelled;
    return n;
  }
};

}  // namespace switchyard
