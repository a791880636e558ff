// shut_down_later(): the shutdown of a runtime destroyed from inside one of its own tasks.
#pragma once

#include <memory>

namespace switchyard::detail {

class RuntimeCore;

// shut_down_later() takes over a runtime whose Runtime object a task of its own destroys. That
// task cannot wait for the runtime's workers, its own among them, so another thread shuts the
// runtime down (with the config's grace, after the task has returned) and destroys it. Every
// such thread is joined before the process exits (at static destruction), so the runtime's
// report is written and its shards are stopped. Does not block; call from the task.
void shut_down_later(std::unique_ptr<RuntimeCore> core) noexcept;

}  // namespace switchyard::detail
