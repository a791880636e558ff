// Zygote: the process that shard processes are forked from.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include <switchyard/topology.hpp>

#include "shard/task_table.hpp"

namespace switchyard::detail {

// ZygoteReport is one message from the zygote: a shard started (its connection comes with
// it), a shard could not be started, or a shard process ended.
struct ZygoteReport {
  enum class Kind : std::uint32_t { started = 1, failed = 2, exited = 3 };
  Kind kind = Kind::started;
  std::uint32_t shard = 0;  // started, failed
  pid_t pid = 0;            // started, exited
  int status = 0;           // failed: the errno; exited: the wait status
  int fd = -1;              // started: the parent's end of the shard's connection (close-on-exec)
};

// Zygote forks, while the program is still single-threaded as far as the runtime is
// concerned, a process that keeps nothing of the program but its memory image: it closes
// every inherited descriptor but its control socket and resets signal handling. Shards are
// forked from it on request, so a shard never inherits a lock held by one of the runtime's
// threads, nor any descriptor of the program. The zygote reaps its shards and reports how
// each ended; when its control socket closes (the Runtime stopped, or the program died) it
// kills its shards and exits.
//
// The parent side is driven by one thread (the transport's); none of it is thread-safe.
class Zygote {
 public:
  // Zygote() forks the zygote. Call before the runtime starts its threads: other threads
  // of the program are not copied, and a lock one of them holds stays held in every shard.
  // Throws std::system_error.
  Zygote(const TaskTable& tasks, const Topology& topology);
  ~Zygote();
  Zygote(const Zygote&) = delete;
  Zygote& operator=(const Zygote&) = delete;

  // control_fd() becomes readable when a report is waiting (or the zygote is gone).
  int control_fd() const noexcept { return control_; }

  // spawn() asks for shard `shard`, pinned to allowed core `core`. Returns false if the
  // zygote is gone. Does not block beyond one send.
  bool spawn(std::uint32_t shard, std::uint32_t core) noexcept;
  // kill() asks the zygote to SIGKILL its shard `pid` (if it has not been reaped yet).
  bool kill(pid_t pid) noexcept;
  // receive() is the next report, or nullopt when none is waiting. Throws
  // std::system_error when the zygote is gone (its control socket closed).
  std::optional<ZygoteReport> receive();

  // stop() closes the control socket, which ends the zygote and its shards, and reaps it.
  // Blocks until the zygote has exited (it kills its shards first). Idempotent.
  void stop() noexcept;
  // exit_status() is the zygote's wait status once stop() or a lost zygote reaped it.
  std::optional<int> exit_status() const noexcept { return status_; }

 private:
  int control_ = -1;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace switchyard::detail
