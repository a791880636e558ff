// The page's colours: one per placement and one per share of time, the same in every chart,
// table and legend.
#pragma once

#include <array>
#include <string_view>

#include <switchyard/placement.hpp>

namespace switchyard::report_tool {

// kPlacementColours holds each Placement's colour, indexed by it.
inline constexpr PerPlacement<std::string_view> kPlacementColours{{{
    "#4c78a8",  // fiber
    "#f58518",  // cpu
    "#c8453c",  // blocking
    "#54a24b",  // shard
}}};

inline std::string_view placement_colour(Placement placement) {
  return kPlacementColours[placement];
}

struct Swatch {
  std::string_view key;    // as the report spells it
  std::string_view label;  // as the page shows it
  std::string_view colour;
};

// The shares of wall time, in the order the breakdown stacks them.
inline constexpr std::array<Swatch, 5> kShares = {{
    {"cpu", "on a CPU", "#f58518"},
    {"blocked", "blocked in the OS", "#c8453c"},
    {"wait", "waiting (suspended)", "#9ecae9"},
    {"join", "waiting for other tasks", "#d4e6f5"},
    {"queued", "queued", "#bab0ac"},
}};

// kHistogramColour fills the latency bars; kInk is text and axes, kGrid the gridlines.
inline constexpr std::string_view kHistogramColour = "#5b7b9a";
inline constexpr std::string_view kInk = "#333333";
inline constexpr std::string_view kGrid = "#e3e3e3";

}  // namespace switchyard::report_tool
