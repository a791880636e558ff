// The bound on a name given from outside: a task kind's, a synchronization object's.
#pragma once

#include <cstddef>
#include <string_view>

namespace switchyard::detail {

// kMaxNameBytes bounds a kind's name and a named object's: each is kept, and reported, for as
// long as the runtime or the object lives.
inline constexpr std::size_t kMaxNameBytes = 256;

// check_name() throws std::invalid_argument for a name longer than kMaxNameBytes, saying
// `subject` ("switchyard: a kind name") may have so many bytes, how many this one has, and
// how it starts. Never blocks; any thread.
void check_name(std::string_view subject, std::string_view name);

}  // namespace switchyard::detail
