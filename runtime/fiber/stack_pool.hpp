// StackPool: fiber stacks, recycled, for every executor of one runtime.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include <boost/context/stack_context.hpp>

#include "exec/spinlock.hpp"
#include "fiber/asan_build.hpp"
#include "fiber/guard_budget.hpp"

namespace switchyard::detail {

// StackPool hands out fixed-size fiber stacks carved from large anonymous mappings, so that
// 100,000 fibers do not need 100,000 mappings (the kernel's default map limit is 65,530).
// Below each stack lies a guard page, so that an overrun faults at once, where it happens
// (overflow_handler.hpp names the task's kind). Where the kernel has guard markers (Linux
// 6.13's MADV_GUARD_INSTALL) the guard page is one: it lives in the page tables, splits no
// mapping and takes the memory map's lock only to read, so every stack has one. Elsewhere
// it is protected (PROT_NONE) while the pool's GuardBudget lasts: such a guard page splits
// its slab's mapping, which is what the budget bounds, and each split takes the map's lock
// to write, stalling every thread's page faults (making a slab of 64 that way was half of
// what starting 1,000 fresh fibers cost). Stacks past the budget have an unprotected page
// there instead, and only the canary at the bottom of each stack, checked when the stack
// comes back: an overflow then aborts with a message naming the stack size. trim() returns the
// pages of free stacks beyond `keep_hot` to the kernel; it is called off the task path (by the
// monitor), because each return costs every core a TLB flush. All members may be called from any
// thread.
//
// A fiber starts and ends with a stack, so the pool must not be one lock for every core (Go
// keeps a stack cache per P for the same reason): each thread takes and returns stacks through
// one of kCaches small caches, picked by the thread, under that cache's spinlock; a cache
// trades kBatch stacks at a time with the shared lists, under the pool's mutex, when it runs
// empty or full; trim() empties them into the shared lists before it counts keep_hot.
class StackPool {
 public:
  // kSlabStacks is how many stacks one mapping holds; kSlabGuardMappings is how many mappings
  // a slab with guard pages becomes (a guard page and a stack each).
  static constexpr std::size_t kSlabStacks = 64;
  static constexpr std::size_t kSlabGuardMappings = 2 * kSlabStacks;
  // kCaches is how many per-thread caches a pool has (threads past it share them);
  // kCacheStacks is what one holds at most, kBatch what it trades with the shared lists.
  static constexpr std::size_t kCaches = 64;
  static constexpr std::size_t kCacheStacks = 16;
  static constexpr std::size_t kBatch = kCacheStacks / 2;

  // Guards says how guard pages are made: markers where the kernel has them, else protected
  // pages within the budget (the default); or protected pages only, as on older kernels.
  enum class Guards : std::uint8_t { markers_first, protected_only };

  // StackPool(stack_bytes, ...): every stack is `stack_bytes` usable, rounded up to pages; its
  // guard page comes on top. Protected guard pages are taken from `budget`, given back on
  // destruction.
  StackPool(std::size_t stack_bytes, std::size_t keep_hot,
            GuardBudget& budget = GuardBudget::process(), Guards guards = Guards::markers_first);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  boost::context::stack_context allocate();
  void deallocate(boost::context::stack_context& sctx) noexcept;
  // trim() returns the pages of the least recently freed stacks beyond keep_hot, cached ones
  // included.
  void trim() noexcept;

  std::size_t stack_bytes() const noexcept { return stack_bytes_; }

  // Usage is what the pool's stacks hold: how many are out (held by started tasks) now and
  // at most so far, and the bytes of their pages the kernel has backed (resident).
  struct Usage {
    std::size_t in_use = 0;
    std::size_t peak_in_use = 0;
    std::size_t resident_bytes = 0;
  };
  // usage() measures it: resident pages come from mincore() over the slabs, less those of
  // free stacks not yet trimmed. For reports: it costs a system call per slab and per such
  // stack, and stacks taken or freed meanwhile make it approximate.
  Usage usage() const;

  // in_guard() says whether `p` lies in one of the pool's guard pages (a marker or a protected
  // page; not the unprotected page below a stack past the budget). It takes no
  // lock and allocates nothing: a signal handler may call it, on any thread.
  bool in_guard(const void* p) const noexcept;

#if SWITCHYARD_ASAN
  // locate() finds the stack, of any pool in the process, that `p` lies in: its bottom and
  // size (see fiber_asan.hpp). AddressSanitizer builds only: they alone keep the list of slabs.
  static bool locate(const void* p, const void*& bottom, std::size_t& size) noexcept;
#endif

 private:
  static constexpr std::uint64_t kCanary = 0x5357495443485944ull;  // "SWITCHYD"

  // Slab is one mapping of kSlabStacks slots, each a guard page then a stack. The slabs form
  // a list that only grows (until the pool is destroyed), so in_guard() can walk it while
  // another thread adds to it.
  enum class Guard : std::uint8_t { none, marker, page };
  struct Slab {
    char* base;
    Guard guard;
    const Slab* next;
  };

  // Cache is one thread's (or a few threads') free stacks.
  struct alignas(64) Cache {
    Spinlock lock;
    std::size_t count = 0;
    std::array<void*, kCacheStacks> stacks{};
  };
  Cache& cache() noexcept;        // the calling thread's
  void refill(Cache& c);          // caller holds c.lock: kBatch stacks from the shared lists
  void spill(Cache& c) noexcept;  // caller holds c.lock: kBatch stacks to the shared lists
  void add_slab();                // caller holds mutex_
  std::size_t resident(const void* p, std::size_t bytes, std::vector<unsigned char>& pages) const;
  Guard guard(char* base) noexcept;
  bool mark(char* base) noexcept;     // guard markers on every guard page of the slab
  bool protect(char* base) noexcept;  // PROT_NONE on every guard page of the slab

  const std::size_t stack_bytes_;
  const std::size_t guard_bytes_;
  const std::size_t slot_bytes_;  // a guard page and a stack
  const std::size_t keep_hot_;
  GuardBudget& budget_;
  const Guards guards_;
  mutable std::mutex mutex_;
  std::vector<void*> hot_;   // free stack bottoms, most recently freed last
  std::vector<void*> cold_;  // free stack bottoms whose pages were returned
  std::size_t slab_count_ = 0;
  mutable std::array<Cache, kCaches> caches_;
  std::atomic<std::size_t> in_use_{0};
  std::atomic<std::size_t> peak_in_use_{0};
  std::atomic<const Slab*> slabs_{nullptr};  // newest first
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
