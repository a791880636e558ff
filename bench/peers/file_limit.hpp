// raise_file_limit(): what a client of thousands of connections does first.
#pragma once

#include <sys/resource.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace peers {

// kSpareFiles is how many descriptors a client keeps free beside its connections: the standard
// streams, epoll, eventfds, the loader.
inline constexpr rlim_t kSpareFiles = 32;

// raise_file_limit() lifts the soft limit on descriptors to the hard one and checks that
// `conns` connections, the value of `flag`, fit beside kSpareFiles. Throws
// std::invalid_argument naming the flag and the limit when they do not, std::system_error when
// the limit cannot be read.
inline void raise_file_limit(std::string_view flag, std::uint64_t conns) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    throw std::system_error(errno, std::generic_category(), "getrlimit");
  }
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (conns + kSpareFiles > limit.rlim_cur) {
    throw std::invalid_argument(std::string(flag) + " " + std::to_string(conns) +
                                ": the open-file limit is " + std::to_string(limit.rlim_cur) +
                                " (ulimit -n)");
  }
}

}  // namespace peers
