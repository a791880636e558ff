// StackPool: fiber stacks, recycled, for every executor of one runtime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include <boost/context/stack_context.hpp>

#include "asan_build.hpp"

namespace switchyard::detail {

// StackPool hands out fixed-size fiber stacks carved from large anonymous mappings, so that
// 100,000 fibers do not need 100,000 mappings (the kernel's default map limit is 65,530).
// Stacks have no guard page, like Boost's default fixedsize_stack; instead a canary at the
// bottom of each stack is checked when the stack comes back, and an overflow aborts with a
// message naming the stack size. trim() returns the pages of free stacks beyond `keep_hot`
// to the kernel; it is called off the task path (by the monitor), because each return costs
// every core a TLB flush. All members may be called from any thread.
class StackPool {
 public:
  StackPool(std::size_t stack_bytes, std::size_t keep_hot);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sctx) noexcept;
  // trim() returns the pages of the least recently freed stacks beyond keep_hot.
  void trim() noexcept;

  std::size_t stack_bytes() const noexcept { return stack_bytes_; }

#if SWITCHYARD_ASAN
  // locate() finds the stack, of any pool in the process, that `p` lies in: its bottom and
  // size (see fiber_asan.hpp). AddressSanitizer builds only: they alone keep the list of slabs.
  static bool locate(const void* p, const void*& bottom, std::size_t& size) noexcept;
#endif

 private:
  static constexpr std::size_t kSlabStacks = 64;
  static constexpr std::uint64_t kCanary = 0x5357495443485944ull;  // "SWITCHYD"

  void add_slab();  // caller holds mutex_

  const std::size_t stack_bytes_;
  const std::size_t keep_hot_;
  mutable std::mutex mutex_;
  std::vector<void*> hot_;   // free stack bottoms, most recently freed last
  std::vector<void*> cold_;  // free stack bottoms whose pages were returned
  std::vector<std::pair<void*, std::size_t>> slabs_;
};

// StackAllocator is the StackAllocator concept Boost.Context expects, over a StackPool. The
// pool must outlive every fiber made with it: the runtime destroys the pool only after every
// worker thread, and so every fiber context, is gone.
class StackAllocator {
 public:
  explicit StackAllocator(StackPool& pool) noexcept : pool_(&pool) {}
  boost::context::stack_context allocate() { return pool_->allocate(); }
  void deallocate(boost::context::stack_context& sctx) noexcept { pool_->deallocate(sctx); }

 private:
  StackPool* pool_;
};

}  // namespace switchyard::detail
