// GuardBudget: how many memory mappings the guard pages of fiber stacks may add to the process.
#pragma once

#include <atomic>
#include <cstddef>

namespace switchyard::detail {

// GuardBudget bounds the mappings that guard pages add. Each guard page splits its slab's
// mapping in two, and vm.max_map_count bounds the mappings of the whole process (65,530 by
// default): past it mmap, mprotect and thread creation fail. A budget is half of that limit,
// the other half left to the program, its threads and libraries, and to unguarded stacks;
// what would pass it goes unguarded. All members may be called from any thread.
class GuardBudget {
 public:
  // GuardBudget(max_map_count) is a budget of half of `max_map_count` mappings.
  explicit GuardBudget(std::size_t max_map_count) noexcept
      : max_map_count_(max_map_count), limit_(max_map_count / 2) {}
  GuardBudget(const GuardBudget&) = delete;
  GuardBudget& operator=(const GuardBudget&) = delete;

  // process() is the budget every runtime of the process shares, from
  // /proc/sys/vm/max_map_count (its default where that cannot be read).
  static GuardBudget& process();

  // take() reserves `mappings` if they fit in what is left, else takes nothing and says no.
  bool take(std::size_t mappings) noexcept;
  // give_back() returns mappings take() reserved.
  void give_back(std::size_t mappings) noexcept;
  // first_refusal() is true for its first caller only: whoever met the first refusal says so.
  bool first_refusal() noexcept { return !refused_.exchange(true, std::memory_order_relaxed); }

  std::size_t max_map_count() const noexcept { return max_map_count_; }
  std::size_t limit() const noexcept { return limit_; }

 private:
  const std::size_t max_map_count_;
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
  std::atomic<bool> refused_{false};
};

}  // namespace switchyard::detail
