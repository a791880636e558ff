#include "core/name_bound.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace switchyard::detail {

void check_name(std::string_view subject, std::string_view name) {
  if (name.size() <= kMaxNameBytes) return;
  throw std::invalid_argument(fmt::format("{} may have {} bytes at most; this one has {}: '{}...'",
                                          subject, kMaxNameBytes, name.size(),
                                          name.substr(0, 40)));
}

}  // namespace switchyard::detail
