// PlacementChange: one move of a kind's new tasks to another executor.
#pragma once

#include <chrono>
#include <string>

#include <switchyard/placement.hpp>

namespace switchyard {

// PlacementChange records one move: when, from where to where, and the policy's rule with
// the measured value and the threshold it was compared against.
struct PlacementChange {
  std::chrono::nanoseconds at{0};  // since the runtime started
  Placement from = Placement::fiber;
  Placement to = Placement::fiber;
  std::string rule;
  double measured = 0.0;
  double threshold = 0.0;
  // has_figures() says the rule compared figures: a rule without any (the watchdog's) has
  // both at 0, and is written without them.
  bool has_figures() const noexcept { return measured != 0 || threshold != 0; }
};

}  // namespace switchyard
