// A call's argument decoding, as a shard does it: the first input byte picks a registered
// task (signatures.hpp), the rest is the call's payload, answered by answer_call(). The answer
// must be one well-formed frame for the call: a result that the caller's side decodes, or a
// rejection (arguments that did not decode). The tasks do not throw, so never a failure.
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "require.hpp"
#include "shard/frame.hpp"
#include "shard/shard_server.hpp"
#include "shard/task_table.hpp"
#include "signatures.hpp"

namespace {

using namespace switchyard::detail;
using switchyard::fuzz::require;

template <class R>
void check_answer(const Frame& call, const std::string& out) {
  FrameReader reader;
  reader.feed(out.data(), out.size());
  const auto answer = reader.next();
  require(answer.has_value(), "the answer is not a whole frame");
  reader.finish();
  require(answer->id == call.id, "the answer's id is not the call's");
  if (answer->type == FrameType::rejected) return;
  require(answer->type == FrameType::result, "a call that decoded was not answered by a result");
  auto* result = new RemoteResultOf<R>();  // two references: the future's and the runtime's
  result->accept(answer->payload, "fuzzed");
  require(!result->failed(), "the caller's side cannot decode a result the shard encoded");
  result->release();
  result->release();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const TaskTable tasks = TaskTable::snapshot();
  switchyard::fuzz::with_task(data[0], [&](const auto& task) {
    Frame call;
    call.type = FrameType::call;
    call.id = 1;
    call.text = task.name();
    call.payload.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string out;
    answer_call(tasks, call, out);
    check_answer<typename std::decay_t<decltype(task)>::result_type>(call, out);
  });
  return 0;
}
