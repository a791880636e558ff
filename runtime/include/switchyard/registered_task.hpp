// RegisteredTask and SWITCHYARD_TASK: task kinds that may run in a process shard.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <cereal/types/array.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include <switchyard/detail/registered_call.hpp>
#include <switchyard/detail/task_table.hpp>

namespace switchyard {

template <auto Fn>
class RegisteredTask;

// RegisteredTask<&fn> makes the function `fn` a task kind that Runtime::submit() may run in
// this process or in a shard process, found there by its name. Its parameters (decayed) and
// its result must be default-constructible and serializable with cereal (the standard types
// above work as they are; a struct needs a `serialize` member or function, see
// examples/shard_tasks.cpp; write it as a template on the archive: a shard's bytes are read
// with an archive of Switchyard's own, which checks every length against the bytes that
// carry it). Define one as a static object, usually through
// SWITCHYARD_TASK, and give each a name unique in the program: the names travel, the
// function addresses do not. Construction registers it; it never blocks.
template <class R, class... Params, R (*Fn)(Params...)>
class RegisteredTask<Fn> {
 public:
  using result_type = R;
  // Arguments: what a call carries, by value.
  using Arguments = std::tuple<std::decay_t<Params>...>;

  explicit RegisteredTask(std::string_view name) noexcept : entry_{name, &invoke} {
    detail::register_task(entry_);
  }
  RegisteredTask(const RegisteredTask&) = delete;
  RegisteredTask& operator=(const RegisteredTask&) = delete;

  // name() is the kind's name: in reports, in the config's [kinds] table, and on the wire.
  std::string_view name() const noexcept { return entry_.name; }

  // Call is one call's arguments, turned by the runtime into a local or a remote task.
  class Call final : public detail::RegisteredCall {
   public:
    explicit Call(Arguments arguments) : arguments_(std::move(arguments)) {}
    detail::TaskBody* make_local() override {
      auto run = [arguments = std::move(arguments_)]() mutable -> R {
        return std::apply(Fn, std::move(arguments));
      };
      auto* body = new detail::CallableTask<R, decltype(run)>(std::move(run));
      state_ = body;
      return body;
    }
    detail::RemoteResult* make_remote(std::string& out) override {
      std::apply([&out](const auto&... a) { detail::encode_values(out, a...); }, arguments_);
      auto* result = new detail::RemoteResultOf<R>();
      state_ = result;
      return result;
    }
    // state() is the future's state, once make_local() or make_remote() succeeded.
    detail::SharedState<R>* state() const noexcept { return state_; }

   private:
    Arguments arguments_;
    detail::SharedState<R>* state_ = nullptr;
  };

 private:
  // invoke() is the shard side of a call: decode, run, encode.
  static void invoke(std::string_view in, std::string& out) {
    Arguments arguments;
    std::apply([in](auto&... a) { detail::decode_values(in, a...); }, arguments);
    if constexpr (std::is_void_v<R>) {
      std::apply(Fn, std::move(arguments));
    } else {
      detail::encode_values(out, std::apply(Fn, std::move(arguments)));
    }
  }

  detail::TaskEntry entry_;
};

}  // namespace switchyard

// SWITCHYARD_TASK(name, (parameters) -> result) { body } defines the function and registers
// it as the task `name`, an inline RegisteredTask object, so it may be used from a header:
//
//   SWITCHYARD_TASK(count_primes, (std::uint64_t lo, std::uint64_t hi) -> std::uint64_t) {
//     ...
//   }
//   auto n = rt.submit(count_primes, 0, 1'000'000).get();
//
// Without the macro: `inline const switchyard::RegisteredTask<&fn> name{"name"};`.
#define SWITCHYARD_TASK(name, ...)                                                \
  inline auto name##_switchyard_body __VA_ARGS__;                                 \
  inline const ::switchyard::RegisteredTask<&name##_switchyard_body> name{#name}; \
  inline auto name##_switchyard_body __VA_ARGS__
