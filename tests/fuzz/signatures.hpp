// The registered-task signatures the call targets decode: one per shape of argument or result
// that reaches a shard or comes back from one (integers, strings, vectors of either, nested
// vectors, optionals, maps, a bool, nothing at all).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <switchyard/registered_task.hpp>

namespace switchyard::fuzz {

using Strings = std::vector<std::string>;
using Nested = std::vector<std::vector<std::uint32_t>>;
using Mixed = std::tuple<std::string, std::vector<double>, std::optional<std::int64_t>,
                         std::map<std::string, std::int32_t>>;

// The tasks' bodies only fold what they were given, so that running one costs no more than
// decoding its arguments did.
SWITCHYARD_TASK(fuzz_add, (std::int64_t a, std::int32_t b)->std::int64_t) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
SWITCHYARD_TASK(fuzz_echo, (std::string s)->std::string) {
  return s;
}
SWITCHYARD_TASK(fuzz_sum, (const std::vector<std::int32_t>& v)->std::vector<std::int32_t>) {
  return v;
}
SWITCHYARD_TASK(fuzz_join, (const Strings& parts, bool reversed)->Strings) {
  return reversed ? Strings(parts.rbegin(), parts.rend()) : parts;
}
SWITCHYARD_TASK(fuzz_nested, (const Nested& rows)->Nested) {
  return rows;
}
SWITCHYARD_TASK(fuzz_mixed, (const Mixed& m)->Mixed) {
  return m;
}
SWITCHYARD_TASK(fuzz_nothing, ()->void) {}

// kTasks is how many tasks there are above.
inline constexpr std::size_t kTasks = 7;

// with_task() calls `f` with the task numbered `index` modulo kTasks: an input's first byte
// picks the signature it is decoded with.
template <class F>
void with_task(std::size_t index, F&& f) {
  switch (index % kTasks) {
    case 0:
      f(fuzz_add);
      break;
    case 1:
      f(fuzz_echo);
      break;
    case 2:
      f(fuzz_sum);
      break;
    case 3:
      f(fuzz_join);
      break;
    case 4:
      f(fuzz_nested);
      break;
    case 5:
      f(fuzz_mixed);
      break;
    default:
      f(fuzz_nothing);
      break;
  }
}

}  // namespace switchyard::fuzz
