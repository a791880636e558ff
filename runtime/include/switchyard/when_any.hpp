// when_any: waiting for the first of several futures.
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <vector>

#include <switchyard/deadline.hpp>
#include <switchyard/event.hpp>
#include <switchyard/future.hpp>

namespace switchyard {

// when_any_until() waits until one of `futures` (a container of valid Futures) is ready, or
// `deadline` passes; returns the index of the first ready one in the container's order, or
// nullopt when the deadline passed first (or the container is empty). The futures stay valid:
// get() the one it names. Suspends a task (a cancelled task gets TaskCancelled), blocks a
// thread.
template <class Futures>
std::optional<std::size_t> when_any_until(const Futures& futures, Deadline deadline) {
  const auto first_ready = [&]() -> std::optional<std::size_t> {
    std::size_t i = 0;
    for (const auto& f : futures) {
      if (f.ready()) return i;
      ++i;
    }
    return std::nullopt;
  };
  if (auto i = first_ready()) return i;
  if (std::begin(futures) == std::end(futures)) return std::nullopt;
  Event any;
  std::vector<detail::Watcher> watchers(static_cast<std::size_t>(std::size(futures)));
  std::size_t linked = 0;
  struct Unlink {
    const Futures& futures;
    std::vector<detail::Watcher>& watchers;
    std::size_t& linked;
    ~Unlink() {
      std::size_t i = 0;
      for (const auto& f : futures) {
        if (i == linked) break;
        detail::FutureAccess::state(f).unwatch(watchers[i++]);
      }
    }
  } unlink{futures, watchers, linked};
  for (const auto& f : futures) {
    detail::Watcher& w = watchers[linked];
    w.notify = [](void* e) noexcept { static_cast<Event*>(e)->set(); };
    w.arg = &any;
    ++linked;
    if (!detail::FutureAccess::state(f).watch(w)) break;  // ready meanwhile
  }
  if (!any.is_set() && first_ready() == std::nullopt) {
    const detail::Joining joining;  // measured as a wait for other tasks, as get() is
    any.wait_until(deadline);
  }
  return first_ready();
}

// when_any() is when_any_until() with no deadline: the index of the first ready future.
template <class Futures>
std::size_t when_any(const Futures& futures) {
  return *when_any_until(futures, Deadline::none());
}

}  // namespace switchyard
