// detail::depth_bound(): how a reader of JSON from outside (a report, the calibration cache)
// refuses a text nested deeper than it can use, while nlohmann parses it.
#pragma once

#include <stdexcept>
#include <string>

namespace switchyard::detail {

// JsonTooDeep is what depth_bound()'s callback throws: "nested deeper than N levels".
class JsonTooDeep : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// depth_bound() is a parser callback for nlohmann's basic_json::parse() (any JSON type) that
// throws JsonTooDeep as soon as the text opens a value `max_depth` levels deep, the outermost
// value being at depth 0. The text is refused while it is read, before the values built from
// it nest deep enough for a recursion over them to overflow a stack: nlohmann parses without
// recursing, but copies a value and dump()s it once per level (100,000 levels overflow an
// 8 MiB stack). Never blocks.
inline auto depth_bound(int max_depth) {
  return [max_depth](int depth, auto /*event*/, auto& /*parsed*/) {
    if (depth >= max_depth) {
      throw JsonTooDeep("nested deeper than " + std::to_string(max_depth) + " levels");
    }
    return true;
  };
}

}  // namespace switchyard::detail
