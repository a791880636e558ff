// detail::TaskEntry: how a registered task is found and run by name, in any process.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace switchyard::detail {

// BadArguments: a call's argument bytes did not decode into the task's parameters.
class BadArguments : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// TaskEntry is one registered task: its name and the function that decodes its arguments,
// runs it and encodes its result. `invoke` throws BadArguments when the arguments do not
// decode, and lets the task's own exceptions through.
struct TaskEntry {
  std::string_view name;
  void (*invoke)(std::string_view arguments, std::string& result);
};

// register_task() adds `entry`, which must live as long as the program (RegisteredTask
// objects are static). Called during static initialisation, or when a library is loaded;
// thread-safe. Shards see the tasks registered when their Runtime started.
void register_task(const TaskEntry& entry) noexcept;

}  // namespace switchyard::detail
