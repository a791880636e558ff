// How switchyard::net calls fail, and how they wait.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include <switchyard/deadline.hpp>

namespace switchyard::detail {
class IoSource;
}

namespace switchyard::net::detail {

// what() is an error message: "switchyard::net::CALL PEER: REASON".
std::string what(std::string_view call, std::string_view peer, std::string_view reason);

// fail() throws IoError for `call` ("read from", "connect to", ...) on `peer` with errno
// `err`, or with `code` and `reason`.
[[noreturn]] void fail(std::string_view call, std::string_view peer, int err);
[[noreturn]] void fail(std::string_view call, std::string_view peer, std::errc code,
                       std::string_view reason);

// await() waits until `fd` is ready for `call`; throws TimeoutError when the deadline passes,
// TaskCancelled when the runtime cancels, IoError (EBADF) when the socket is closed meanwhile.
void await(int fd, switchyard::detail::IoSource*& source, bool for_read, Deadline deadline,
           std::string_view call, std::string_view peer);

}  // namespace switchyard::net::detail
