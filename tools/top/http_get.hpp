// http_get(): one HTTP GET to a metrics endpoint.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace switchyard::top {

// kMaxAnswerBytes bounds what http_get() reads: the largest report a runtime writes (its most
// kinds, Report::kMaxJsonBytes) and its headers.
inline constexpr std::size_t kMaxAnswerBytes = (std::size_t{256} << 20) + 65536;

// http_get() sends GET `path` to `address` (host:port) and returns the body of a 200 answer.
// Blocks for at most `timeout`. Throws std::runtime_error naming the address and path when it
// cannot connect, the answer is not 200, or is longer than kMaxAnswerBytes.
std::string http_get(std::string_view address, std::string_view path,
                     std::chrono::milliseconds timeout);

}  // namespace switchyard::top
