// Processor: the right to run tasks on the fiber executor, with the queue and reactor that go
// with it.
#pragma once

#include <atomic>
#include <cstddef>

#include "reactor.hpp"
#include "run_queue.hpp"

namespace switchyard::detail {

class Worker;

// The fiber executor has a fixed number of Processors (Go's P): a worker thread runs tasks
// only while it holds one. When the thread blocks in the OS under a task, the monitor hands
// its Processor (ready queue, reactor and timers) to another thread, so the rest keep
// running; the blocked thread finds it gone when the task gives the thread back. Every member
// is safe to use from several threads, so the moment of hand-off needs no agreement with the
// blocked thread.
struct Processor {
  Processor(std::size_t i, const CancelSignal& cancel) : index(i), reactor(cancel) {}

  const std::size_t index;
  RunQueue local;   // tasks ready to run here; idle siblings may steal them
  Reactor reactor;  // where its owner sleeps; I/O sources registered by its tasks
  std::atomic<Worker*> owner{nullptr};
};

}  // namespace switchyard::detail
