// Waiting on the calling thread: a task on a fiber worker parks, anything else blocks.
#pragma once

#include <chrono>

#include "task/waiter.hpp"

namespace switchyard::detail {

class IoSource;

// sleep_until() waits until `deadline`: Outcome::timeout when it passes, Outcome::cancelled
// when the calling task's runtime cancels its waits first. Outside a task it blocks the thread
// and always times out.
Waiter::Outcome sleep_until(std::chrono::steady_clock::time_point deadline) noexcept;

// wait_fd() waits until `fd` is ready in one direction: Outcome::ready, timeout, cancelled, or
// closed (another task closed the descriptor meanwhile). A task on a fiber worker parks, with
// `source` the descriptor's reactor registration, made on its first such wait (nullptr until
// then; a reading and a writing task that wait at once for the first time register it once,
// and `source` is only ever read and written as an atomic, std::atomic_ref); elsewhere the
// thread blocks in poll(). Throws std::system_error when the descriptor cannot be registered.
Waiter::Outcome wait_fd(int fd, IoSource*& source, bool for_read,
                        std::chrono::steady_clock::time_point deadline);

// release_fd() undoes wait_fd()'s registration before `fd` is closed; wakes waiters with
// Outcome::closed.
void release_fd(IoSource*& source) noexcept;

}  // namespace switchyard::detail
