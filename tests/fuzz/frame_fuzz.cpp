// The shard protocol's frame reader, over bytes as they come off a link: the first input byte
// says how the rest arrives (0: all at once; n: in pieces of n bytes), the rest is the stream.
// Every frame the reader gives back must be the bytes it consumed, encoded again; a stream it
// does not reject must end on a frame boundary.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "require.hpp"
#include "shard/frame.hpp"

namespace {

using switchyard::detail::append_frame;
using switchyard::detail::Frame;
using switchyard::detail::FrameError;
using switchyard::detail::FrameReader;
using switchyard::detail::kFrameHeader;
using switchyard::fuzz::require;

// The header's reserved byte, which the reader ignores and append_frame() leaves zero.
constexpr std::size_t kReserved = 5;

// check_frame() compares `frame` with the bytes at the front of `rest`, and returns its size.
std::size_t check_frame(const Frame& frame, std::string_view rest) {
  std::string again;
  append_frame(again, frame.type, frame.id, frame.text, frame.payload, frame.cpu_ns,
               frame.blocked_ns, frame.run_ns);
  require(again.size() <= rest.size(), "a frame is longer than the bytes fed");
  std::string fed(rest.substr(0, again.size()));
  fed[kReserved] = 0;
  require(fed == again, "a frame differs from the bytes it was read from");
  return again.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t piece = data[0] == 0 ? stream.size() : data[0];
  FrameReader reader;
  std::size_t consumed = 0;
  try {
    for (std::size_t fed = 0; fed < stream.size(); fed += piece) {
      reader.feed(stream.data() + fed, std::min(piece, stream.size() - fed));
      while (auto frame = reader.next()) {
        consumed += check_frame(*frame, stream.substr(consumed));
      }
    }
    reader.finish();
    require(consumed == stream.size(), "finish() accepted a stream that ends inside a frame");
  } catch (const FrameError&) {
    // A malformed stream: the shard says goodbye and closes, the parent drops the link.
  }
  return 0;
}
