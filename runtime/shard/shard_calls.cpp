// RuntimeCore's shard calls: a registered task's call sent to a shard, and its answer
// folded in as a finished task's.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <switchyard/errors.hpp>

#include "core/clock.hpp"
#include "core/runtime_core.hpp"
#include "shard/frame.hpp"
#include "task/remote_task.hpp"
#include "task/task_failure.hpp"

namespace switchyard::detail {

void RuntimeCore::submit(std::string_view name, const Hint& hint, RegisteredCall& call) {
  KindRecord* found = nullptr;
  try {
    found = &kinds_.get(name);
  } catch (...) {
    TaskBody* body = call.make_local();
    body->cancel(std::current_exception());
    body->release();
    return;
  }
  KindRecord& kind = *found;
  const Sampling sample = sampling(kind, kind.isolated ? on(Placement::shard) : hint);
  const Placement target = sample.pin.value_or(kind.governor.current());
  if (target != Placement::shard) {
    start(kind, sample, target, call.make_local());
    return;
  }
  std::string arguments;
  RemoteResult& result = *call.make_remote(arguments);
  live_.fetch_add(1, std::memory_order_seq_cst);
  auto refuse = [&](std::exception_ptr why) {
    if (why) result.reject(std::move(why));
    result.publish();
    result.release();
    end_task();
  };
  if (stopping_.load(std::memory_order_seq_cst)) {
    refuse(failure<RuntimeStopped>(
        "switchyard: a '", kind.name,
        "' call was submitted after the runtime began to shut down; it did not run"));
    return;
  }
  if (result.failed()) {  // its arguments did not encode
    refuse(nullptr);
    return;
  }
  if (!kind.governor.traits().shardable) {
    refuse(failure<ShardCallRejected>(
        "switchyard: '", kind.name,
        "' cannot run in a shard: it was registered after the runtime started (a library loaded "
        "later?), and shards run the tasks registered by then"));
    return;
  }
  std::unique_ptr<RemoteTask> job;
  try {
    job = std::make_unique<RemoteTask>(*this, kind, result, sample.measured, steady_ns());
    job->task = kind.name;
    job->idempotent = kind.idempotent;
    append_frame(job->frame, FrameType::call, 0, name, arguments);
  } catch (const FrameError& e) {
    refuse(failure<ShardCallRejected>("switchyard: a '", kind.name,
                                      "' call cannot be sent: ", e.what()));
    return;
  } catch (...) {
    refuse(std::current_exception());
    return;
  }
  kind.inflight.fetch_add(1, std::memory_order_relaxed);
  shards_->submit(job.release());
}

bool RemoteTask::answered(Frame&& answer) noexcept {
  return core.finish_remote(*this, &answer, nullptr);
}

void RemoteTask::failed(std::exception_ptr error) noexcept {
  core.finish_remote(*this, nullptr, std::move(error));
}

bool RuntimeCore::finish_remote(RemoteTask& call, Frame* answer,
                                std::exception_ptr error) noexcept {
  const std::unique_ptr<RemoteTask> owned(&call);
  KindRecord& kind = call.kind;
  RemoteResult& result = call.result;
  bool decoded = true;
  if (answer == nullptr) {
    result.reject(std::move(error));
  } else if (answer->type == FrameType::result) {
    decoded = result.accept(answer->payload, kind.name);
  } else if (answer->type == FrameType::failure) {
    try {
      result.reject(std::make_exception_ptr(ShardTaskError(answer->text, answer->payload)));
    } catch (...) {
      result.reject(std::current_exception());
    }
  } else {
    result.reject(failure<ShardCallRejected>("switchyard: a shard did not run a '", kind.name,
                                             "' call: ", answer->payload));
  }
  if (trace_ && answer != nullptr) {
    const std::int64_t now = steady_ns();
    const std::int64_t ran = std::clamp<std::int64_t>(static_cast<std::int64_t>(answer->run_ns), 0,
                                                      now - call.submitted_ns);
    trace_->shard_call(call.shard(), trace_->next_task(), kind.name, now - ran, now);
  }
  std::optional<TaskSample> sample;
  if (call.measured && answer != nullptr) {
    using std::chrono::nanoseconds;
    const auto wall = std::max<std::int64_t>(0, steady_ns() - call.submitted_ns);
    // The shard's figures are unsigned on the wire: one from a corrupt frame is clamped.
    auto within = [](std::uint64_t ns, std::int64_t most) {
      return static_cast<std::int64_t>(
          std::min<std::uint64_t>(ns, static_cast<std::uint64_t>(most)));
    };
    const std::int64_t run = within(answer->run_ns, wall);
    const std::int64_t cpu = within(answer->cpu_ns, run);
    const std::int64_t blocked = within(answer->blocked_ns, run - cpu);
    // Queued: in the shard's queue, or preempted while it ran, as for a task in this process.
    sample.emplace();
    sample->placement = Placement::shard;
    sample->wall = nanoseconds{wall};
    sample->cpu = nanoseconds{cpu};
    sample->blocked = nanoseconds{blocked};
    sample->queued = nanoseconds{wall - cpu - blocked};
    sample->failed = result.failed();
  }
  account(kind, sample, result.failed(), false, answer == nullptr ? error : nullptr);
  result.publish();
  result.release();
  kind.inflight.fetch_sub(1, std::memory_order_relaxed);
  end_task();
  return decoded;
}

}  // namespace switchyard::detail
