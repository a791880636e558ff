// Processor: the right to run tasks on an executor with per-worker queues, with the queue (and,
// on the fiber executor, the reactor) that go with it.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>

#include "exec/local_queue.hpp"
#include "exec/run_next.hpp"
#include "io/reactor.hpp"

namespace switchyard::detail {

class Worker;

// The fiber executor and the CPU pool have a fixed number of Processors (Go's P): a worker
// thread runs tasks only while it holds one, and the tasks it spawns or wakes go on its
// Processor's queue, or its run-next slot. On the fiber executor a Processor also carries a
// reactor, and when its thread blocks in the OS under a task, the monitor hands it (ready
// queue and slot, reactor and timers) to another thread, so the rest keep running; the blocked
// thread finds it gone when the task gives the thread back. Every member is safe to use from
// several threads, so the moment of hand-off needs no agreement with the blocked thread.
struct Processor {
  // Throws std::system_error when the kernel refuses the reactor's descriptors.
  Processor(std::size_t i, const CancelSignal* reactor_cancel) : index(i) {
    if (reactor_cancel != nullptr) reactor.emplace(*reactor_cancel);
  }

  // ready() counts the tasks ready to run here, queued or in the slot; a hint.
  std::size_t ready() const noexcept { return local.size() + (run_next.occupied() ? 1 : 0); }

  const std::size_t index;
  LocalQueue local;                // tasks ready to run here; idle siblings may steal them
  RunNextSlot run_next;            // the task the running one woke: it runs when that one stops
  std::optional<Reactor> reactor;  // fiber executor: where its owner sleeps; I/O sources
  std::atomic<Worker*> owner{nullptr};
};

}  // namespace switchyard::detail
