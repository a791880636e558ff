#include <switchyard/placement.hpp>

namespace switchyard {

std::string_view to_string(Placement p) noexcept {
  switch (p) {
    case Placement::fiber:
      return "fiber";
    case Placement::cpu:
      return "cpu";
    case Placement::blocking:
      return "blocking";
    case Placement::shard:
      return "shard";
  }
  return "unknown";
}

std::optional<Placement> parse_placement(std::string_view name) noexcept {
  for (Placement p : all_placements) {
    if (to_string(p) == name) return p;
  }
  return std::nullopt;
}

}  // namespace switchyard
