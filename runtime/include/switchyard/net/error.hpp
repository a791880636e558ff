// Errors of switchyard::net calls.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

namespace switchyard::net {

// IoError: a socket call failed. what() names the call, the peer and the reason, e.g.
// "switchyard::net::connect to 127.0.0.1:9: Connection refused"; code() is the errno (or
// std::errc::connection_aborted when the peer closed in the middle of a read_exact).
class IoError : public std::system_error {
 public:
  IoError(std::error_code code, const std::string& what)
      : std::system_error(code), message_(what) {}
  // what() is the message as given (std::system_error would append the code's text again).
  const char* what() const noexcept override { return message_.what(); }

 private:
  std::runtime_error message_;  // copies without throwing
};

// TimeoutError: the call's deadline passed before it completed. code() is ETIMEDOUT. Whatever
// the call had transferred before the deadline is consumed; the socket stays usable.
class TimeoutError : public IoError {
 public:
  using IoError::IoError;
};

}  // namespace switchyard::net
