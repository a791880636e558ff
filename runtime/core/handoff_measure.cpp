#include "core/handoff_measure.hpp"

#include <exception>
#include <string>

#include <fmt/format.h>

#include <switchyard/detail/task_body.hpp>
#include <switchyard/future.hpp>
#include <switchyard/hint.hpp>
#include <switchyard/timed_rounds.hpp>

#include "core/runtime_core.hpp"

namespace switchyard::detail {

namespace {

constexpr long kTrips = 200;

}  // namespace

std::string_view handoff_figure(Placement pool) noexcept {
  return pool == Placement::cpu ? "cpu_pool_handoff_ns" : "blocking_pool_handoff_ns";
}

Measure handoff_measure(RuntimeCore& rt, KindRecord& kind, Placement pool) {
  return [&rt, &kind, pool]() -> Figure {
    std::string failure;
    const auto ns = median_ns_per_op(kTrips, [&](long trips) {
      for (long i = 0; i < trips; ++i) {
        auto empty = [] { return 0; };
        auto* task = new CallableTask<int, decltype(empty)>(empty);
        Future<int> result(task);
        rt.submit(kind, on(pool), task);
        try {
          result.get();
        } catch (const std::exception& error) {
          failure = error.what();
          return false;
        }
      }
      return true;
    });
    if (!ns) return Figure::missing("the probing task failed: " + failure);
    return Figure::measured(
        *ns, fmt::format("an empty task submitted from a plain thread to the {} pool, result "
                         "awaited; median of {} rounds of {}",
                         to_string(pool), kTimedRounds, kTrips));
  };
}

}  // namespace switchyard::detail
