// RemoteTask: a registered task's call on its way through a shard.
#pragma once

#include <cstdint>
#include <exception>

#include <switchyard/detail/registered_call.hpp>

#include "core/kind_record.hpp"
#include "shard/shard_pool.hpp"

namespace switchyard::detail {

class RuntimeCore;

// RemoteTask ties a ShardJob to its kind and its caller's RemoteResult; whichever way the
// pool ends it, the runtime finishes it like a local task (RuntimeCore::finish_remote).
struct RemoteTask final : ShardJob {
  RemoteTask(RuntimeCore& runtime, KindRecord& kind_record, RemoteResult& caller, bool is_measured,
             std::int64_t submitted) noexcept
      : core(runtime),
        kind(kind_record),
        result(caller),
        measured(is_measured),
        submitted_ns(submitted) {}

  bool answered(Frame&& answer) noexcept override;
  void failed(std::exception_ptr error) noexcept override;

  RuntimeCore& core;
  KindRecord& kind;
  RemoteResult& result;
  const bool measured;
  const std::int64_t submitted_ns;
};

}  // namespace switchyard::detail
