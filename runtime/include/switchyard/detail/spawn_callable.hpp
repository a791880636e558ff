// detail::spawn_callable(): a callable made into a task body, handed to a runtime.
#pragma once

#include <type_traits>
#include <utility>

#include <switchyard/detail/task_body.hpp>
#include <switchyard/future.hpp>

namespace switchyard::detail {

// spawn_callable() makes `fn` a task body, hands it to `enqueue` and returns its future.
// `enqueue` is given the body as its own type (a TaskBody and the future's state) and must not
// throw: it takes over the runtime's reference to the body, and resolves the future with an
// error if the task cannot run.
template <class F, class Enqueue>
auto spawn_callable(F&& fn, Enqueue&& enqueue) -> Future<std::invoke_result_t<std::decay_t<F>&&>> {
  using R = std::invoke_result_t<std::decay_t<F>&&>;
  auto* body = new CallableTask<R, std::decay_t<F>>(std::forward<F>(fn));
  Future<R> future(body);
  std::forward<Enqueue>(enqueue)(body);
  return future;
}

}  // namespace switchyard::detail
