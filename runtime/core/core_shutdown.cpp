// RuntimeCore's shutdown: waiting for the tasks, cancelling their waits after the grace
// period, the report and trace files, and stopping the executors.
#include <stdexcept>

#include <switchyard/detail/timeout.hpp>
#include <switchyard/errors.hpp>

#include "core/logger.hpp"
#include "core/runtime_core.hpp"
#include "task/task_failure.hpp"

namespace switchyard::detail {

namespace {

// saying_why() writes a file at shutdown with `write`; if it cannot, stderr says why (the error
// names the file) and shutdown goes on.
template <class Write>
void saying_why(Write&& write) noexcept {
  try {
    write();
  } catch (const std::exception& e) {
    log(LogLevel::warning, "shutdown_write_failed", {}, "{}", e.what());
  }
}

}  // namespace

void RuntimeCore::end_task() noexcept {
  if (live_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
      stopping_.load(std::memory_order_seq_cst)) {
    std::lock_guard lk(done_mutex_);
    done_cv_.notify_all();
  }
}

void RuntimeCore::cancel_waits() noexcept {
  cancel_.raise();
  for (const auto& p : executor(Placement::fiber).processors()) p->reactor->cancel_all();
  if (shards_) {
    shards_->close(failure<TaskCancelled>(
        "switchyard: a shard call was cancelled: the runtime shut down before it was answered"));
  }
}

ShutdownSummary RuntimeCore::shutdown(std::chrono::milliseconds grace) {
  if (on_own_worker()) {
    throw std::logic_error("switchyard: Runtime::shutdown() called from one of its own tasks");
  }
  std::lock_guard guard(shutdown_mutex_);
  if (shut_down_) {
    std::lock_guard summary_lock(summary_mutex_);
    return summary_;
  }
  stopping_.store(true, std::memory_order_seq_cst);
  std::unique_lock lk(done_mutex_);
  auto all_done = [this] { return live_.load(std::memory_order_seq_cst) == 0; };
  if (!done_cv_.wait_until(lk, deadline_after(grace), all_done)) {
    lk.unlock();  // cancelling finishes shard calls at once, and finishing takes done_mutex_
    cancel_waits();
    lk.lock();
    while (!done_cv_.wait_for(lk, std::chrono::seconds(5), all_done)) {
      const auto live = live_.load();
      log(LogLevel::warning, "shutdown_waiting", {{"tasks", std::to_string(live)}},
          "switchyard: shutdown is waiting for {} task(s) still running user code", live);
    }
  }
  lk.unlock();
  // No task runs any more: one report serves the report file now and the trace's moves later.
  const std::optional<Report> last = final_report();
  if (last && !config_.profiling.report.empty()) {
    saying_why([&] { last->save(config_.profiling.report); });
  }
  if (shards_) shards_->stop();
  // New probing tasks now fail at once; what is left of a calibration is built-in
  // microbenchmarks, a few hundred milliseconds at most.
  if (calibrator_.joinable()) calibrator_.join();
  monitor_.reset();
  for (auto& e : executors_) e->stop();
  if (last && trace_) saying_why([&] { trace_->write(config_.profiling.trace, *last); });
  shut_down_ = true;
  std::lock_guard summary_lock(summary_mutex_);
  return summary_;
}

}  // namespace switchyard::detail
