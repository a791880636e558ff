// with_timeout: a deadline on one call.
#pragma once

#include <string>
#include <utility>

#include <switchyard/deadline.hpp>
#include <switchyard/errors.hpp>
#include <switchyard/future.hpp>

namespace switchyard {

// with_timeout() waits for `future` until `deadline` and returns its value (or rethrows its
// error). When the deadline passes first it cancels the task (it unwinds from its next wait;
// its result is dropped) and throws DeadlineExceeded naming `what`. Suspends a task (a
// cancelled task gets TaskCancelled), blocks a thread.
template <class T>
T with_timeout(Future<T> future, Deadline deadline, const std::string& what = "the call") {
  if (!detail::FutureAccess::state(future).wait_until(deadline.at())) {
    future.cancel();
    throw DeadlineExceeded("switchyard: " + what + " did not finish before its deadline");
  }
  return future.get();
}

}  // namespace switchyard
