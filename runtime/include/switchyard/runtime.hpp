// Runtime: the object a program creates to run its tasks.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <switchyard/calibration.hpp>
#include <switchyard/config.hpp>
#include <switchyard/detail/spawn_callable.hpp>
#include <switchyard/detail/task_body.hpp>
#include <switchyard/future.hpp>
#include <switchyard/hint.hpp>
#include <switchyard/policy.hpp>
#include <switchyard/registered_task.hpp>
#include <switchyard/report.hpp>
#include <switchyard/shutdown_summary.hpp>
#include <switchyard/topology.hpp>

namespace switchyard {

namespace detail {
class GroupCore;
class MetricsEndpoint;
class RuntimeCore;

// check_spawn_hint() throws std::invalid_argument for a hint that sends a callable to a shard.
void check_spawn_hint(const Hint& hint);
}  // namespace detail

// Runtime owns the executors (fiber workers, the CPU pool, the blocking pool), the per-kind
// profiles and the placement policy. Every piece of state belongs to the instance: several
// runtimes may live in one process, one after another or at once. All members may be
// called from any thread, including from inside the runtime's own tasks, unless noted.
class Runtime {
 public:
  // Runtime() reads the config file found by Config::discover() (SWITCHYARD_CONFIG, else
  // ./switchyard.toml, else defaults), probes the topology and starts the executors.
  // Throws ConfigError on a bad config file.
  Runtime();
  // Runtime(config) starts with the given config. Throws std::runtime_error, naming the
  // address, when profiling.metrics is set and the endpoint cannot listen there.
  explicit Runtime(Config config);
  // Runtime(config, policy) places tasks with `policy` instead of the config's policy.name:
  // a policy of the program's own (see policy.hpp for what it may rely on).
  Runtime(Config config, std::unique_ptr<Policy> policy);
  // ~Runtime() calls shutdown() with the config's grace period. Called from one of the
  // runtime's own tasks, it returns at once, and another thread shuts the runtime down once
  // that task has returned (the process's exit waits for it).
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // spawn() runs `fn` as a task of kind `kind` and returns a future of its result. Where it
  // runs is the policy's choice from the kind's measurements, unless `hint` pins it. Never
  // blocks. Throws std::invalid_argument for a shard hint (callables run in this process);
  // any other failure, including spawning after shutdown began, resolves the future with an
  // error instead.
  template <class F>
  auto spawn(std::string_view kind, F&& fn, Hint hint = {})
      -> Future<std::invoke_result_t<std::decay_t<F>&&>> {
    detail::check_spawn_hint(hint);
    return detail::spawn_callable(std::forward<F>(fn),
                                  [&](detail::TaskBody* body) { enqueue(kind, hint, body); });
  }

  // submit() calls the registered task `task` with `args` (converted to its parameter
  // types) and returns a future of its result, like spawn(). Where it runs is the kind's
  // placement, the policy's choice unless the config pins it: a shard process, or any
  // in-process executor. A kind marked `isolate` in the config runs only in shards, whatever
  // the hint says. Going to a shard, it waits while every shard already has
  // executors.shard_inflight calls (a task suspends, a thread blocks). In a shard, the
  // task's exception reaches the future as ShardTaskError, with the same message; a shard
  // that dies fails the call with ShardLost (or runs it once more, for a kind marked
  // `idempotent`). Throws std::bad_alloc; every other failure resolves the future.
  template <auto Fn, class... A>
  Future<typename RegisteredTask<Fn>::result_type> submit(const RegisteredTask<Fn>& task,
                                                          A&&... args) {
    return submit(Hint{}, task, std::forward<A>(args)...);
  }
  // submit(hint, task, args...) is submit() with a hint for this call: on(Placement::shard)
  // sends it to a shard, another placement keeps it in this process.
  template <auto Fn, class... A>
  Future<typename RegisteredTask<Fn>::result_type> submit(const Hint& hint,
                                                          const RegisteredTask<Fn>& task,
                                                          A&&... args) {
    using Task = RegisteredTask<Fn>;
    static_assert(sizeof...(A) == std::tuple_size_v<typename Task::Arguments>,
                  "submit(): the number of arguments differs from the task's parameters");
    typename Task::Call call(typename Task::Arguments(std::forward<A>(args)...));
    enqueue(task.name(), hint, call);
    return Future<typename Task::result_type>(call.state());
  }

  // shutdown() stops accepting tasks, lets running and queued tasks finish for up to
  // `grace`, then cancels what is left: tasks not yet started and tasks suspended in
  // Switchyard waits resolve with TaskCancelled. It waits for tasks still running user code
  // to return (and says how many every few seconds, through the log sink: log.hpp), then stops
  // the executors.
  // Blocks. Idempotent; must not be called from inside one of this runtime's tasks.
  ShutdownSummary shutdown(std::chrono::milliseconds grace);

  // report() snapshots what ran where and why. Never blocks for long.
  Report report() const;

  // calibrate() measures what placement costs on this machine, hand-offs to this runtime's
  // pools included, or reads it from the cache ($XDG_CACHE_HOME/switchyard), ignoring the
  // cache if `recalibrate`. The first result is the MachineModel the policy reads (a runtime
  // with profiling.calibrate on obtains it in the background at start). Blocks: milliseconds
  // on a warm cache, under a second cold. Throws std::logic_error from inside one of this
  // runtime's tasks.
  Calibration calibrate(bool recalibrate = false);

  // metrics_address() is where the live metrics endpoint listens, "host:port" with the port
  // the kernel chose for ":0", or "" when profiling.metrics is off (docs/observability.md).
  // The endpoint serves from start until the Runtime is destroyed, after shutdown() too.
  const std::string& metrics_address() const noexcept;

  // config() and topology() are what the runtime started with.
  const Config& config() const noexcept;
  const Topology& topology() const noexcept;

 private:
  friend class detail::GroupCore;  // queues the children it has listed, times its deadline

  void enqueue(std::string_view kind, const Hint& hint, detail::TaskBody* task) noexcept;
  void enqueue(std::string_view kind, const Hint& hint, detail::RegisteredCall& call);

  void start_metrics();

  std::unique_ptr<detail::RuntimeCore> impl_;
  std::unique_ptr<detail::MetricsEndpoint> metrics_;
};

}  // namespace switchyard
