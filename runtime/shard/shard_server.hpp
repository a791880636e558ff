// serve_shard(): the loop a shard process runs.
#pragma once

#include <optional>
#include <string>

#include "shard/frame.hpp"
#include "shard/task_table.hpp"

namespace switchyard::detail {

// Exit codes of a shard process, so that its parent can tell an orderly end from a failure.
inline constexpr int kShardDone = 0;        // the other end closed the connection
inline constexpr int kShardBadFrame = 3;    // it sent a malformed frame; a goodbye says which
inline constexpr int kShardBrokenLink = 4;  // reading or writing the connection failed

// answer_call() runs `call` and appends its answer to `out`: a result, a failure (the task
// threw: its type and message) or a rejection (no such task in `tasks`, arguments that do
// not decode), with the call's CPU, blocked and wall time.
void answer_call(const TaskTable& tasks, const Frame& call, std::string& out);

// next_call() is the next whole frame in `reader`, which must be a call: nullopt when no
// whole frame is left; FrameError when it is malformed or of another type.
std::optional<Frame> next_call(FrameReader& reader);

// serve_shard() reads call frames from `fd` and answers each, in order, with a result, a
// failure (the task threw) or a rejection (no such task in `tasks`, arguments that do not
// decode). It runs nothing but the tasks in `tasks`, found by name. On a malformed frame, or
// one that stops arriving for kFrameStall, it answers with a goodbye naming the problem and
// returns. Blocks the calling thread; returns one of the exit codes above.
int serve_shard(int fd, const TaskTable& tasks) noexcept;

}  // namespace switchyard::detail
