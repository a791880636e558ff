// Waiting for any file descriptor.
#pragma once

#include <switchyard/deadline.hpp>

namespace switchyard {

// wait_readable() waits until `fd` is readable (or at end of stream, or in error) and returns
// true, or returns false once `deadline` passes. In a task on a fiber worker it suspends the
// task, elsewhere it blocks the thread. `fd` should be non-blocking for the read that follows
// not to block. Throws TaskCancelled when the runtime shuts down meanwhile, std::system_error
// when `fd` cannot be waited on (EBADF, EPERM for regular files).
bool wait_readable(int fd, Deadline deadline = {});
// wait_writable() is wait_readable() for writing.
bool wait_writable(int fd, Deadline deadline = {});

}  // namespace switchyard
