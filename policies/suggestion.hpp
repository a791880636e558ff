// unknown_reason(): "unknown X", with the name the user probably meant, for config errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace switchyard::detail {

// unknown_reason() phrases "unknown X" with a suggestion when one is close (by edit distance, a
// transposition counting as one edit; its cost bounded by the valid names' lengths, however long
// the word), else the list of valid names (and the list as well when `always_list`).
std::string unknown_reason(std::string_view what, std::string_view word,
                           const std::vector<std::string_view>& valid, bool always_list);

}  // namespace switchyard::detail
