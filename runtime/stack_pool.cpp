#include "stack_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace switchyard::detail {

namespace {

std::size_t round_to_pages(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

}  // namespace

StackPool::StackPool(std::size_t stack_bytes, std::size_t keep_hot)
    : stack_bytes_(round_to_pages(stack_bytes)), keep_hot_(keep_hot) {}

StackPool::~StackPool() {
  for (auto [base, bytes] : slabs_) munmap(base, bytes);
}

void StackPool::add_slab() {
  const std::size_t bytes = stack_bytes_ * kSlabStacks;
  // Room first, so nothing can throw between mapping the slab and recording it.
  const std::size_t stacks = (slabs_.size() + 1) * kSlabStacks;
  slabs_.reserve(slabs_.size() + 1);
  hot_.reserve(stacks);
  cold_.reserve(stacks);
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  slabs_.emplace_back(base, bytes);
  for (std::size_t i = kSlabStacks; i-- > 0;) {
    cold_.push_back(static_cast<char*>(base) + i * stack_bytes_);
  }
}

boost::context::stack_context StackPool::allocate() {
  void* bottom = nullptr;
  {
    std::lock_guard lk(mutex_);
    std::vector<void*>& from = !hot_.empty() ? hot_ : cold_;
    if (from.empty()) add_slab();
    bottom = from.back();
    from.pop_back();
  }
  std::memcpy(bottom, &kCanary, sizeof kCanary);
  boost::context::stack_context sctx;
  sctx.size = stack_bytes_;
  sctx.sp = static_cast<char*>(bottom) + stack_bytes_;
  return sctx;
}

void StackPool::deallocate(boost::context::stack_context& sctx) noexcept {
  void* bottom = static_cast<char*>(sctx.sp) - sctx.size;
  std::uint64_t canary = 0;
  std::memcpy(&canary, bottom, sizeof canary);
  if (canary != kCanary) {
    std::fprintf(stderr,
                 "switchyard: fiber stack overflow detected (stack size %zu KiB); raise "
                 "executors.stack_kib in the config\n",
                 stack_bytes_ / 1024);
    std::abort();
  }
  std::lock_guard lk(mutex_);
  hot_.push_back(bottom);  // room reserved: every stack has a place in hot_ or cold_
}

void StackPool::trim() noexcept {
  std::vector<void*> surplus;
  {
    std::lock_guard lk(mutex_);
    if (hot_.size() <= keep_hot_) return;
    const auto excess = static_cast<std::ptrdiff_t>(hot_.size() - keep_hot_);
    try {
      surplus.assign(hot_.begin(), hot_.begin() + excess);
    } catch (const std::bad_alloc&) {
      return;  // the pages stay until the next trim
    }
    hot_.erase(hot_.begin(), hot_.begin() + excess);
  }
  // Neighbouring stacks of a slab go back in one call.
  std::sort(surplus.begin(), surplus.end());
  for (std::size_t i = 0; i < surplus.size();) {
    std::size_t j = i + 1;
    while (j < surplus.size() &&
           static_cast<char*>(surplus[j]) == static_cast<char*>(surplus[j - 1]) + stack_bytes_) {
      ++j;
    }
    madvise(surplus[i], (j - i) * stack_bytes_, MADV_DONTNEED);
    i = j;
  }
  std::lock_guard lk(mutex_);
  cold_.insert(cold_.end(), surplus.begin(), surplus.end());  // within its reserved room
}

}  // namespace switchyard::detail
