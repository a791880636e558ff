#include "core/late_shutdown.hpp"

#include <atomic>
#include <exception>
#include <list>
#include <mutex>
#include <thread>

#include "core/logger.hpp"
#include "core/runtime_core.hpp"

namespace switchyard::detail {

namespace {

// LateShutdowns holds the threads shutting runtimes down; the process's exit joins them. It is
// process-wide by nature: it must outlive every Runtime, and only the exit can wait for it.
// A thread that has finished is joined when the next one starts, so they do not pile up.
class LateShutdowns {
 public:
  ~LateShutdowns() {
    std::list<Shutdown> all;
    {
      std::lock_guard lk(mutex_);
      all.swap(shutdowns_);
    }
    for (auto& s : all) s.thread.join();
  }

  // start() takes `core` over once a thread runs for it; if none can be started, it throws and
  // `core` stays the caller's.
  void start(std::unique_ptr<RuntimeCore>& core) {
    std::lock_guard lk(mutex_);
    shutdowns_.remove_if([](Shutdown& s) {
      if (!s.done.load(std::memory_order_acquire)) return false;
      s.thread.join();
      return true;
    });
    Shutdown& s = shutdowns_.emplace_back();
    try {
      // The thread owns the runtime only from the release() below on: its shutdown waits for
      // the calling task, which returns after that.
      s.thread = std::thread([raw = core.get(), &done = s.done] {
        std::unique_ptr<RuntimeCore> owned(raw);
        try {
          owned->shutdown(owned->config().executors.shutdown_grace);
        } catch (const std::exception& e) {
          log(LogLevel::error, "late_shutdown_failed", {},
              "switchyard: shutting down a runtime its own task destroyed: {}", e.what());
        }
        owned.reset();
        done.store(true, std::memory_order_release);
      });
    } catch (...) {
      shutdowns_.pop_back();
      throw;
    }
    static_cast<void>(core.release());
  }

 private:
  struct Shutdown {
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::mutex mutex_;
  std::list<Shutdown> shutdowns_;  // a list: each thread refers to its own `done`
};

}  // namespace

void shut_down_later(std::unique_ptr<RuntimeCore> core) noexcept {
  static LateShutdowns shutdowns;
  try {
    shutdowns.start(core);
  } catch (const std::exception& e) {
    // Destroyed here, under its own task, the runtime would wait for that task: it is left
    // running instead, so its tasks still finish and their futures resolve.
    log(LogLevel::error, "late_shutdown_failed", {},
        "switchyard: a task destroyed its own runtime and no thread could be started to shut "
        "it down ({}): the runtime is left running until the process exits",
        e.what());
    static_cast<void>(core.release());
  }
}

}  // namespace switchyard::detail
