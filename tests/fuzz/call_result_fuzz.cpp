// A shard's result decoding, on the caller's side: the first input byte picks a registered
// task's result type (signatures.hpp), the rest is the result frame's payload, handed to the
// future's state as the runtime does. The future must resolve: with the value, whose encoding
// reads back as itself, or with ShardCallRejected.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <switchyard/errors.hpp>

#include "require.hpp"
#include "signatures.hpp"

namespace {

using namespace switchyard::detail;
using switchyard::fuzz::require;

template <class R>
void check_result(std::string_view payload) {
  auto* result = new RemoteResultOf<R>();  // two references: the future's and the runtime's
  result->accept(payload, "fuzzed");
  const bool failed = result->failed();
  result->publish();
  require(result->ready(), "a result was published but its future is not ready");
  if (failed) {
    try {
      result->take();
      require(false, "a result that did not decode resolved its future with a value");
    } catch (const switchyard::ShardCallRejected&) {
    }
  } else if constexpr (!std::is_void_v<R>) {
    std::string once;
    encode_values(once, result->take());
    R back{};
    decode_values(once, back);
    std::string twice;
    encode_values(twice, back);
    require(once == twice, "a decoded result does not read back as itself");
  } else {
    result->take();
  }
  result->release();
  result->release();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  switchyard::fuzz::with_task(data[0], [payload](const auto& task) {
    check_result<typename std::decay_t<decltype(task)>::result_type>(payload);
  });
  return 0;
}
