#include "net/failure.hpp"

#include <cerrno>
#include <string>
#include <system_error>

#include <switchyard/detail/cancel_state.hpp>
#include <switchyard/errors.hpp>
#include <switchyard/net/error.hpp>

#include "task/wait.hpp"

namespace switchyard::net::detail {

std::string what(std::string_view call, std::string_view peer, std::string_view reason) {
  std::string s = "switchyard::net::";
  s.append(call).append(" ").append(peer).append(": ").append(reason);
  return s;
}

void fail(std::string_view call, std::string_view peer, int err) {
  const std::error_code code(err, std::generic_category());
  throw IoError(code, what(call, peer, code.message()));
}

void fail(std::string_view call, std::string_view peer, std::errc code, std::string_view reason) {
  throw IoError(std::make_error_code(code), what(call, peer, reason));
}

void await(int fd, switchyard::detail::IoSource*& source, bool for_read, Deadline deadline,
           std::string_view call, std::string_view peer) {
  using Outcome = switchyard::detail::Waiter::Outcome;
  Outcome outcome = Outcome::ready;
  try {
    outcome = switchyard::detail::wait_fd(fd, source, for_read, deadline.at());
  } catch (const std::system_error& e) {
    throw IoError(e.code(), what(call, peer, e.code().message()));
  }
  switch (outcome) {
    case Outcome::ready:
      return;
    case Outcome::timeout:
      throw TimeoutError(std::make_error_code(std::errc::timed_out),
                         what(call, peer, "the deadline passed"));
    case Outcome::cancelled:
      throw TaskCancelled(
          what(call, peer, std::string("cancelled: ") + switchyard::detail::cancel_reason()));
    case Outcome::closed:
      fail(call, peer, std::errc::bad_file_descriptor, "the socket was closed while waiting");
  }
}

}  // namespace switchyard::net::detail
