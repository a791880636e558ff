// ReactorWait: where a task's reactor waits are armed, so that cancelling the task finds the
// wait it is parked in without the wait registering itself with the task each time.
#pragma once

#include <atomic>

namespace switchyard::detail {

class Reactor;
class Waiter;

// ReactorWait rides in its Task. A task parks in the reactor of the worker it runs on; its
// cancellation's interrupt (registered with the task once, not per wait: Reactor::park) reads
// `home` and looks there. The task publishes `home` before it checks for cancellation under
// the reactor's lock, so a canceller that raised the flag first is seen by the task, and one
// that raised it later finds the reactor the task is arming in.
struct ReactorWait {
  // home is the reactor the task's waits arm in; the task changes it between waits, rarely
  // (it moved to another worker), with a sequentially consistent store.
  std::atomic<Reactor*> home{nullptr};
  // armed_in is `home` while the task is parked there in a wait that cancellation may end,
  // and `waiter` is that wait; the task writes both under the lock of the list it arms the wait
  // in, and a canceller reads them holding both of home's list locks.
  std::atomic<Reactor*> armed_in{nullptr};
  Waiter* waiter = nullptr;
};

}  // namespace switchyard::detail
