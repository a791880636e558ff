// Frame: the unit of the shard protocol, and FrameReader, which cuts a byte stream into frames.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "shard/byte_queue.hpp"

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
// kFrameStall bounds how long a frame that has begun may go without a byte: past it the
// sender is taken for stuck (stopped, or hostile) and the link for broken. Both ends write a
// frame whole, as fast as the other reads, so on a live link the gaps are scheduling delays.
inline constexpr std::chrono::seconds kFrameStall{5};

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
  // partial() is whether the bytes fed so far end inside a frame: once next() gave nullopt,
  // a frame has begun and not ended.
  bool partial() const noexcept { return !buffer_.empty(); }
  // stalled() says that the frame begun went `quiet` without a byte, and how much of it came:
  // "a frame stopped arriving (49 of 53 bytes came, then nothing for 5 s)".
  std::string stalled(std::chrono::milliseconds quiet) const;

 private:
  // progress() says how much of the frame begun has come: "49 of 53 bytes".
  std::string progress() const;

  ByteQueue buffer_;
};

}  // namespace switchyard::detail
