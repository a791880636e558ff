#include "suggestion.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>

namespace switchyard::detail {

namespace {

// edit_distance() counts an adjacent transposition as one edit (optimal string alignment),
// since swapped letters are the commonest typo.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// closest() finds the candidate the user probably meant, or nothing when every candidate
// is so far off that a suggestion would mislead. Its cost is bounded by the candidates'
// lengths, however long the word: the schema's names are short, a value need not be.
std::string_view closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (std::string_view candidate : candidates) {
    const std::size_t allowed =
        std::max<std::size_t>(1, std::min<std::size_t>(3, candidate.size() / 3));
    // An edit changes the length by one at most, so a larger difference needs no count.
    const std::size_t gap =
        std::max(word.size(), candidate.size()) - std::min(word.size(), candidate.size());
    if (gap > allowed) continue;
    const std::size_t distance = edit_distance(word, candidate);
    if (distance <= allowed && distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace

// unknown_reason() phrases "unknown X" with a suggestion when one is close, else the list.
std::string unknown_reason(std::string_view what, std::string_view word,
                           const std::vector<std::string_view>& valid, bool always_list) {
  std::string reason = "unknown " + std::string(what);
  const std::string_view suggestion = closest(word, valid);
  if (!suggestion.empty()) reason += "; did you mean '" + std::string(suggestion) + "'?";
  if (suggestion.empty() || always_list) {
    reason += " (valid: ";
    for (std::size_t i = 0; i < valid.size(); ++i) {
      if (i != 0) reason += ", ";
      reason += valid[i];
    }
    reason += ')';
  }
  return reason;
}

}  // namespace switchyard::detail
