// failure(): the error a task's future resolves with when the runtime does not run it.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace switchyard::detail {

// failure() makes the error a future resolves with, from the parts of its message; with no
// memory for the message, the bad_alloc instead. Never throws: it runs on noexcept paths.
template <class Error, class... Parts>
std::exception_ptr failure(const Parts&... parts) noexcept {
  try {
    std::string message;
    (message.append(std::string_view(parts)), ...);
    return std::make_exception_ptr(Error(message));
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace switchyard::detail
