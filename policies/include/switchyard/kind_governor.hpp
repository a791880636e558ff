// KindGovernor: one task kind's placement, from its measurements to where its next task goes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <switchyard/kind_profile.hpp>
#include <switchyard/move_budget.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/placement_change.hpp>
#include <switchyard/policy.hpp>
#include <switchyard/surroundings.hpp>
#include <switchyard/task_sample.hpp>

namespace switchyard {

// KindTraits is what a kind is from its first task on.
struct KindTraits {
  std::optional<Placement> pinned;     // by config: its tasks never leave this executor
  bool shardable = false;              // a registered task: it can run in a shard process
  bool follow_changes = true;          // measure every task while its profile is unsettled
  Placement start = Placement::fiber;  // where its tasks go before the first decision
};

// Counsel is what a governor consults when it decides: the policy, the executors' load and
// the machine, the time (the caller's monotonic clock) and the kind's tasks in flight.
struct Counsel {
  Policy& policy;
  const Surroundings& around;
  std::chrono::nanoseconds now{0};
  std::uint32_t inflight = 0;
};

// KindGovernor owns everything that decides where one kind's tasks run: its profile, its
// stall memory, its policy's trials, its budget of moves and its placement history. It
// takes finished tasks' samples and the watchdog's stalls, asks the policy, and applies the
// answer by its rules: a pinned kind never moves, a callable never goes to the shards, a
// kind whose tasks wait for other tasks stays on the fibers, a kind caught blocking the
// fibers leaves them, and any other move spends from a MoveBudget, so no measurement,
// however it swings, makes a kind flap. No threads and no clock of its
// own: the runtime and the simulations drive the same class.
//
// Threads: current(), take_trial() and unsettled() are lock-free, for the spawn path; every
// other member is called with the owner's lock for this kind held (one lock per kind).
class KindGovernor {
 public:
  // How many moves history() keeps (the latest).
  static constexpr std::size_t kHistoryLimit = 64;
  // Stalls speak for the kind once it was caught this many times.
  static constexpr std::uint32_t kStrikes = 2;
  // The most tasks a stall is remembered for.
  static constexpr std::uint64_t kLongestStallMemory = std::uint64_t{1} << 20;
  // How many measured tasks a kind is a joiner for after the last that joined.
  static constexpr std::uint64_t kJoinMemory = 1024;

  KindGovernor(std::string name, const KindTraits& traits);
  KindGovernor(const KindGovernor&) = delete;
  KindGovernor& operator=(const KindGovernor&) = delete;

  // current() is where the kind's new tasks go. Lock-free.
  Placement current() const noexcept { return current_.load(std::memory_order_relaxed); }
  // take_trial() says where new task number `seq` goes instead of current(), if it is one of
  // the policy's trials. Lock-free.
  std::optional<Placement> take_trial(std::uint64_t seq) noexcept;
  // joining() says a task of the kind began (true) or ended (false) a wait for other tasks,
  // its children most likely: while one waits, the kind joins(), before any such task has
  // finished. Lock-free, on the joining task's thread, in pairs.
  void joining(bool began) noexcept {
    if (began) {
      joining_.fetch_add(1, std::memory_order_relaxed);
    } else {
      joining_.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  // unsettled() says every new task should be measured: the profile may be changing phase
  // (with follow_changes). Lock-free.
  bool unsettled() const noexcept { return unsettled_.load(std::memory_order_relaxed); }

  // decide() asks the policy where the kind goes and applies the answer: when the kind is
  // first seen, and whenever the owner wants a fresh decision.
  void decide(const Counsel& counsel) noexcept;
  // finished() folds a measured task in, lets the policy observe it, and decides.
  void finished(const TaskSample& sample, const Counsel& counsel) noexcept;
  // stalled() records that the watchdog caught a task blocking a fiber worker, tells the
  // policy, and decides.
  void stalled(const Counsel& counsel) noexcept;

  const std::string& name() const noexcept { return name_; }
  const KindTraits& traits() const noexcept { return traits_; }
  const KindProfile& profile() const noexcept { return profile_; }
  // history() is the kind's latest moves, oldest first; moves() counts them all.
  const std::vector<PlacementChange>& history() const noexcept { return history_; }
  std::uint64_t moves() const noexcept { return moves_; }
  // recently_stalled() says the watchdog's stalls speak for the kind: it was caught kStrikes
  // times, and has not run enough tasks since the last to speak instead (a window of tasks at
  // first, twice as many each time it stalls again once its stalls had stopped speaking, so
  // a kind that blocks now and then does not go back to the fibers to stall them every
  // window).
  bool recently_stalled() const noexcept { return strikes_ >= kStrikes && remembered(); }
  // joins() says the kind's tasks wait for other tasks to finish (one does now, or one of
  // its last kJoinMemory measured tasks did): a tree's parents. Such a kind
  // stays on the fibers, where a join suspends; on a pool thread it holds the thread its children
  // may need, and reads as blocked. Its leaves computing say nothing against that: the order in
  // which a tree's tasks finish (leaves in bursts, then their parents) is no change of phase.
  bool joins() const noexcept {
    return joining_.load(std::memory_order_relaxed) > 0 ||
           (joined_at_ && profile_.count() - *joined_at_ < kJoinMemory);
  }
  // state() is the kind as its policy sees it.
  KindState state(std::uint32_t inflight) const noexcept;

 private:
  // set_trial() takes on the policy's Trial: a new budget of trial.count tasks when its round
  // is new, none when it asks for none or for what the kind cannot do.
  void set_trial(const Trial& trial) noexcept;
  // allowed() says whether the kind may move to `to` now, spending from its budget if so.
  bool allowed(Placement to, std::chrono::nanoseconds now) noexcept;
  bool remembered() const noexcept {
    return blocked_at_ && profile_.count() - *blocked_at_ < stall_memory_;
  }

  const std::string name_;
  const KindTraits traits_;
  std::atomic<Placement> current_;
  std::atomic<bool> unsettled_{false};
  std::atomic<std::uint32_t> joining_{0};  // its tasks waiting for other tasks now
  std::atomic<std::uint32_t> trial_every_{0};
  std::atomic<std::uint32_t> trials_left_{0};
  std::atomic<Placement> trial_placement_{Placement::fiber};
  std::uint32_t trial_round_ = 0;  // the round the trial budget was given for

  KindProfile profile_;
  // The profile's count at the last stall, how many tasks it speaks for, and the stalls since
  // the last ones stopped speaking.
  std::optional<std::uint64_t> blocked_at_;
  std::uint64_t stall_memory_ = 0;
  std::uint32_t strikes_ = 0;
  std::optional<std::uint64_t> joined_at_;  // the profile's count at the last joining task
  MoveBudget budget_;
  std::vector<PlacementChange> history_;
  std::uint64_t moves_ = 0;
};

}  // namespace switchyard
