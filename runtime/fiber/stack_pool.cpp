#include "fiber/stack_pool.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "core/logger.hpp"
#include "fiber/fiber_asan.hpp"

#if SWITCHYARD_ASAN
#include <sanitizer/asan_interface.h>

#include <shared_mutex>
#endif

namespace switchyard::detail {

namespace {

// The madvise() advice that installs guard markers, and the one that removes them (Linux
// 6.13, include/uapi/asm-generic/mman-common.h); older headers lack the names.
constexpr int kGuardInstall = 102;
constexpr int kGuardRemove = 103;

// Whether the kernel refused guard markers: then no slab tries them again.
std::atomic<bool> markers_refused{false};

std::size_t round_to_pages(std::size_t bytes) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

#if SWITCHYARD_ASAN
// Every pool's slabs, sorted by address, so that a context's address gives its stack's bounds
// (StackPool::locate(), for fiber_asan). Never destroyed: worker threads may outlive statics.
struct SlabRecord {
  std::uintptr_t begin;
  std::uintptr_t end;
  std::size_t slot_bytes;  // a guard page and a stack
  std::size_t guard_bytes;
  const StackPool* pool;
};
struct SlabRegistry {
  std::shared_mutex mutex;
  std::vector<SlabRecord> slabs;
};
SlabRegistry& slab_registry() {
  static auto* registry = new SlabRegistry;
  return *registry;
}
#endif

}  // namespace

#if SWITCHYARD_ASAN
bool StackPool::locate(const void* p, const void*& bottom, std::size_t& size) noexcept {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  SlabRegistry& r = slab_registry();
  std::shared_lock lk(r.mutex);
  auto it = std::upper_bound(r.slabs.begin(), r.slabs.end(), at,
                             [](std::uintptr_t a, const SlabRecord& s) { return a < s.begin; });
  if (it == r.slabs.begin()) return false;
  --it;
  if (at >= it->end) return false;
  const std::uintptr_t slot = it->begin + (at - it->begin) / it->slot_bytes * it->slot_bytes;
  if (at < slot + it->guard_bytes) return false;  // a guard page is no stack's
  bottom = reinterpret_cast<const void*>(slot + it->guard_bytes);
  size = it->slot_bytes - it->guard_bytes;
  return true;
}
#endif

StackPool::StackPool(std::size_t stack_bytes, std::size_t keep_hot, GuardBudget& budget,
                     Guards guards)
    : stack_bytes_(round_to_pages(stack_bytes)),
      guard_bytes_(round_to_pages(1)),
      slot_bytes_(guard_bytes_ + stack_bytes_),
      keep_hot_(keep_hot),
      budget_(budget),
      guards_(guards) {}

StackPool::~StackPool() {
#if SWITCHYARD_ASAN
  {
    SlabRegistry& r = slab_registry();
    std::lock_guard lk(r.mutex);
    std::erase_if(r.slabs, [this](const SlabRecord& s) { return s.pool == this; });
  }
#endif
  const Slab* next = nullptr;
  for (const Slab* s = slabs_.load(std::memory_order_acquire); s != nullptr; s = next) {
    munmap(s->base, slot_bytes_ * kSlabStacks);
    if (s->guard == Guard::page) budget_.give_back(kSlabGuardMappings);
    next = s->next;
    delete s;
  }
}

bool StackPool::in_guard(const void* p) const noexcept {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  for (const Slab* s = slabs_.load(std::memory_order_acquire); s != nullptr; s = s->next) {
    const auto base = reinterpret_cast<std::uintptr_t>(s->base);
    if (at >= base && at - base < slot_bytes_ * kSlabStacks) {
      return s->guard != Guard::none && (at - base) % slot_bytes_ < guard_bytes_;
    }
  }
  return false;
}

// guard() guards the slab at `base`: with markers if the kernel has them, else with protected
// pages if the budget allows, and says so the first time it cannot. A slab is guarded whole
// or not at all.
StackPool::Guard StackPool::guard(char* base) noexcept {
  if (guards_ == Guards::markers_first && !markers_refused.load(std::memory_order_relaxed) &&
      mark(base)) {
    return Guard::marker;
  }
  const char* why = "their guard pages would pass their share, half of";
  if (budget_.take(kSlabGuardMappings)) {
    if (protect(base)) return Guard::page;
    budget_.give_back(kSlabGuardMappings);
    why = "the process ran out of mappings:";
  }
  if (budget_.first_refusal()) {
    log(LogLevel::warning, "stack_guard_off", {},
        "switchyard: fiber stacks made from now on have no guard page ({} vm.max_map_count = "
        "{}); an overflow on one is caught only by its canary, when its task ends",
        why, budget_.max_map_count());
  }
  return Guard::none;
}

bool StackPool::mark(char* base) noexcept {
  std::size_t done = 0;
  while (done < kSlabStacks &&
         madvise(base + done * slot_bytes_, guard_bytes_, kGuardInstall) == 0) {
    ++done;
  }
  if (done == kSlabStacks) return true;
  // A kernel without markers refuses the advice it does not know (EINVAL; a sandbox may say
  // EPERM or ENOSYS): no slab asks again. Short of memory for page tables, this slab goes
  // without and the next asks again.
  const int err = errno;
  if (done == 0 && err != ENOMEM && err != EAGAIN && err != EINTR) {
    markers_refused.store(true, std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < done; ++i) {
    madvise(base + i * slot_bytes_, guard_bytes_, kGuardRemove);
  }
  return false;
}

bool StackPool::protect(char* base) noexcept {
  std::size_t done = 0;
  while (done < kSlabStacks && mprotect(base + done * slot_bytes_, guard_bytes_, PROT_NONE) == 0) {
    ++done;
  }
  if (done == kSlabStacks) return true;
  // The program's own mappings left less room than the budget counted on. Back to one
  // mapping, which needs no new one.
  mprotect(base, done * slot_bytes_, PROT_READ | PROT_WRITE);
  return false;
}

void StackPool::add_slab() {
  const std::size_t bytes = slot_bytes_ * kSlabStacks;
  // Room first, so nothing can throw between mapping the slab and recording it.
  const std::size_t stacks = (slab_count_ + 1) * kSlabStacks;
  hot_.reserve(stacks);
  cold_.reserve(stacks);
  auto slab = std::make_unique<Slab>();
#if SWITCHYARD_ASAN
  SlabRegistry& r = slab_registry();
  std::lock_guard registry_lk(r.mutex);
  r.slabs.reserve(r.slabs.size() + 1);
#endif
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  slab->base = static_cast<char*>(base);
  slab->guard = guard(slab->base);
  slab->next = slabs_.load(std::memory_order_relaxed);
  slabs_.store(slab.release(), std::memory_order_release);
  ++slab_count_;
#if SWITCHYARD_ASAN
  const SlabRecord record{reinterpret_cast<std::uintptr_t>(base),
                          reinterpret_cast<std::uintptr_t>(base) + bytes, slot_bytes_, guard_bytes_,
                          this};
  r.slabs.insert(
      std::upper_bound(r.slabs.begin(), r.slabs.end(), record,
                       [](const SlabRecord& a, const SlabRecord& b) { return a.begin < b.begin; }),
      record);
#endif
  for (std::size_t i = kSlabStacks; i-- > 0;) {
    cold_.push_back(static_cast<char*>(base) + i * slot_bytes_ + guard_bytes_);
  }
}

StackPool::Cache& StackPool::cache() noexcept {
  static std::atomic<std::size_t> next_thread{0};
  thread_local const std::size_t slot = next_thread.fetch_add(1, std::memory_order_relaxed);
  return caches_[slot % kCaches];
}

void StackPool::refill(Cache& c) {
  std::lock_guard lk(mutex_);
  while (c.count < kBatch) {
    std::vector<void*>& from = !hot_.empty() ? hot_ : cold_;
    if (from.empty()) add_slab();
    c.stacks[c.count++] = from.back();
    from.pop_back();
  }
}

void StackPool::spill(Cache& c) noexcept {
  std::lock_guard lk(mutex_);
  for (std::size_t i = 0; i < kBatch; ++i) {
    hot_.push_back(c.stacks[--c.count]);  // room reserved: every stack has a place in hot_
  }
}

boost::context::stack_context StackPool::allocate() {
  void* bottom = nullptr;
  {
    Cache& c = cache();
    std::lock_guard lk(c.lock);
    if (c.count == 0) refill(c);
    bottom = c.stacks[--c.count];
  }
  const std::size_t now = in_use_.fetch_add(1, std::memory_order_relaxed) + 1;
  // Read-mostly: only a new peak writes it.
  std::size_t peak = peak_in_use_.load(std::memory_order_relaxed);
  while (now > peak && !peak_in_use_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
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
    log(LogLevel::error, "stack_overflow", {},
        "switchyard: fiber stack overflow detected (stack size {} KiB); raise "
        "executors.stack_kib in the config",
        stack_bytes_ / 1024);
    std::abort();
  }
#if SWITCHYARD_ASAN
  // The stack is dead: no redzone left on it (say, by a switch ASan was not told of) may
  // outlive it and trip the next fiber to run here.
  ASAN_UNPOISON_MEMORY_REGION(bottom, stack_bytes_);
#endif
  in_use_.fetch_sub(1, std::memory_order_relaxed);
  Cache& c = cache();
  std::lock_guard lk(c.lock);
  if (c.count == kCacheStacks) spill(c);
  c.stacks[c.count++] = bottom;
}

std::size_t StackPool::resident(const void* p, std::size_t bytes,
                                std::vector<unsigned char>& pages) const {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  pages.resize(bytes / page);
  // mincore() wants a page-aligned start; every slab and stack starts on a page.
  if (mincore(const_cast<void*>(p), bytes, pages.data()) != 0) return 0;
  return page * static_cast<std::size_t>(std::count_if(pages.begin(), pages.end(),
                                                       [](unsigned char c) { return c & 1; }));
}

StackPool::Usage StackPool::usage() const {
  Usage u;
  std::vector<void*> free_hot;
  const Slab* newest = nullptr;
  u.in_use = in_use_.load(std::memory_order_relaxed);
  u.peak_in_use = peak_in_use_.load(std::memory_order_relaxed);
  for (Cache& c : caches_) {
    std::lock_guard lk(c.lock);
    free_hot.insert(free_hot.end(), c.stacks.begin(),
                    c.stacks.begin() + static_cast<std::ptrdiff_t>(c.count));
  }
  {
    std::lock_guard lk(mutex_);
    free_hot.insert(free_hot.end(), hot_.begin(), hot_.end());
    newest = slabs_.load(std::memory_order_acquire);
  }
  // The slabs outlive this call (they go only with the pool), so they are read unlocked.
  std::vector<unsigned char> pages;
  std::size_t bytes = 0;
  for (const Slab* s = newest; s != nullptr; s = s->next) {
    bytes += resident(s->base, slot_bytes_ * kSlabStacks, pages);
  }
  for (const void* bottom : free_hot)
    bytes -= std::min(bytes, resident(bottom, stack_bytes_, pages));
  u.resident_bytes = bytes;
  return u;
}

void StackPool::trim() noexcept {
  // The caches' stacks join the shared ones first, so that keep_hot_ counts every free stack.
  for (Cache& c : caches_) {
    std::lock_guard lk(c.lock);
    std::lock_guard shared_lk(mutex_);
    hot_.insert(hot_.end(), c.stacks.begin(),
                c.stacks.begin() + static_cast<std::ptrdiff_t>(c.count));  // within its room
    c.count = 0;
  }
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
  // Neighbouring stacks of a slab go back in one call, with the guard pages between them.
  std::sort(surplus.begin(), surplus.end());
  for (std::size_t i = 0; i < surplus.size();) {
    std::size_t j = i + 1;
    while (j < surplus.size() &&
           static_cast<char*>(surplus[j]) == static_cast<char*>(surplus[j - 1]) + slot_bytes_) {
      ++j;
    }
    madvise(surplus[i], (j - i - 1) * slot_bytes_ + stack_bytes_, MADV_DONTNEED);
    i = j;
  }
  std::lock_guard lk(mutex_);
  cold_.insert(cold_.end(), surplus.begin(), surplus.end());  // within its reserved room
}

}  // namespace switchyard::detail
