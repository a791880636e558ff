#include "fiber/guard_budget.hpp"

#include <cstdio>

namespace switchyard::detail {

namespace {

// The kernel's default vm.max_map_count.
constexpr std::size_t kDefaultMaxMapCount = 65'530;

std::size_t read_max_map_count() {
  std::size_t value = 0;
  FILE* f = std::fopen("/proc/sys/vm/max_map_count", "r");
  if (f == nullptr) return kDefaultMaxMapCount;
  // The sysctl is an int; anything else read there is not it.
  if (std::fscanf(f, "%zu", &value) != 1 || value > 0x7fffffff) value = kDefaultMaxMapCount;
  std::fclose(f);
  return value;
}

}  // namespace

GuardBudget& GuardBudget::process() {
  // The map count is the process's, so its budget is too. Never destroyed: worker threads,
  // whose stacks' pools give their share back, may outlive statics.
  static auto* budget = new GuardBudget(read_max_map_count());
  return *budget;
}

bool GuardBudget::take(std::size_t mappings) noexcept {
  std::size_t used = used_.load(std::memory_order_relaxed);
  do {
    if (mappings > limit_ - used) return false;
  } while (!used_.compare_exchange_weak(used, used + mappings, std::memory_order_relaxed));
  return true;
}

void GuardBudget::give_back(std::size_t mappings) noexcept {
  used_.fetch_sub(mappings, std::memory_order_relaxed);
}

}  // namespace switchyard::detail
