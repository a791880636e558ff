#include <switchyard/io.hpp>

#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include <switchyard/detail/cancel_state.hpp>
#include <switchyard/errors.hpp>

#include "io/io_source.hpp"
#include "task/wait.hpp"

namespace switchyard {

namespace {

// wait_on() registers `fd` for one wait, waits, and deregisters it.
detail::Waiter::Outcome wait_on(int fd, bool for_read, Deadline deadline) {
  detail::IoSource* source = nullptr;
  const auto outcome = detail::wait_fd(fd, source, for_read, deadline.at());
  detail::release_fd(source);
  return outcome;
}

// wait_once() is wait_on(), also for a descriptor already registered with the reactor (a
// net::Socket's): that one is waited on through a duplicate, which epoll tells apart.
detail::Waiter::Outcome wait_once(int fd, bool for_read, Deadline deadline) {
  try {
    return wait_on(fd, for_read, deadline);
  } catch (const std::system_error& e) {
    if (e.code() != std::errc::file_exists) throw;
  }
  const int copy = ::dup(fd);
  if (copy < 0) throw std::system_error(errno, std::generic_category());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{copy};
  return wait_on(copy, for_read, deadline);
}

bool wait_for(int fd, bool for_read, Deadline deadline) {
  const char* call = for_read ? "switchyard::wait_readable" : "switchyard::wait_writable";
  detail::Waiter::Outcome outcome = detail::Waiter::Outcome::ready;
  try {
    // poll() would skip a negative descriptor and wait out the deadline.
    if (fd < 0) throw std::system_error(std::make_error_code(std::errc::bad_file_descriptor));
    outcome = wait_once(fd, for_read, deadline);
  } catch (const std::system_error& e) {
    throw std::system_error(e.code(), std::string(call) + " on fd " + std::to_string(fd));
  }
  switch (outcome) {
    case detail::Waiter::Outcome::ready:
      return true;
    case detail::Waiter::Outcome::timeout:
      return false;
    case detail::Waiter::Outcome::cancelled:
      throw TaskCancelled(std::string(call) + ": cancelled: " + detail::cancel_reason());
    case detail::Waiter::Outcome::closed:
      break;
  }
  throw std::system_error(std::make_error_code(std::errc::bad_file_descriptor),
                          std::string(call) + " on fd " + std::to_string(fd));
}

}  // namespace

bool wait_readable(int fd, Deadline deadline) {
  return wait_for(fd, true, deadline);
}

bool wait_writable(int fd, Deadline deadline) {
  return wait_for(fd, false, deadline);
}

}  // namespace switchyard
