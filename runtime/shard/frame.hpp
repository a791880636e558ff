// Frame: the unit of the shard protocol, and FrameReader, which cuts a byte stream into frames.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace switchyard::detail {

// FrameType says what a frame carries. Calls go to a shard; every other type comes back.
enum class FrameType : std::uint8_t {
  call = 1,      // text: task name; payload: encoded arguments
  result = 2,    // payload: encoded result
  failure = 3,   // the task threw. text: the exception's type; payload: its message
  rejected = 4,  // the call was not run. payload: why (unknown task, arguments that do not decode)
  goodbye = 5,   // the shard read a malformed frame and closes. payload: what was wrong
};

// Frame is one message. `id` pairs a call with its answer; cpu_ns, blocked_ns and run_ns are
// the shard's thread CPU time, time blocked in the kernel, and wall time for the call (zero in
// calls): the rest of run_ns the shard's thread was preempted.
struct Frame {
  FrameType type = FrameType::call;
  std::uint64_t id = 0;
  std::uint64_t cpu_ns = 0;
  std::uint64_t blocked_ns = 0;
  std::uint64_t run_ns = 0;
  std::string text;
  std::string payload;
};

// On the wire a frame is a fixed header (host byte order: both ends run the same program on
// the same machine) followed by the text and the payload.
inline constexpr std::size_t kFrameHeader = 40;
// kMaxFrameBody bounds text plus payload, so a corrupt length cannot make a reader allocate
// without limit.
inline constexpr std::size_t kMaxFrameBody = std::size_t{256} << 20;
// kMaxFrameText bounds the text (a task name or an exception's type).
inline constexpr std::size_t kMaxFrameText = 0xFFFF;

// FrameError: bytes that are not a well-formed frame. what() says what was wrong.
class FrameError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// append_frame() encodes a frame onto `out`. Throws FrameError if the text or the body is
// over its limit.
void append_frame(std::string& out, FrameType type, std::uint64_t id, std::string_view text,
                  std::string_view payload, std::uint64_t cpu_ns = 0, std::uint64_t blocked_ns = 0,
                  std::uint64_t run_ns = 0);

// set_frame_id() rewrites the id of the encoded frame at the start of `frame`.
void set_frame_id(std::string& frame, std::uint64_t id) noexcept;

// FrameReader takes bytes as they arrive and gives back whole frames. It checks each header
// before it waits for the body: a bad type or a length over the limit throws FrameError at
// once, instead of waiting for bytes that will never come. Not thread-safe.
class FrameReader {
 public:
  // feed() appends bytes read from the stream.
  void feed(const char* data, std::size_t size);
  // next() is the next whole frame, or nullopt until more bytes arrive. Throws FrameError.
  std::optional<Frame> next();
  // finish() is called at the end of the stream; throws FrameError if it cut a frame short.
  void finish() const;

 private:
  std::string buffer_;
  std::size_t start_ = 0;  // where the unread bytes begin
};

}  // namespace switchyard::detail
