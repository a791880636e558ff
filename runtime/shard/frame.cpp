#include "shard/frame.hpp"

#include <cstring>

namespace switchyard::detail {

namespace {

// Header layout: body length (u32), type (u8), reserved (u8), text length (u16), id (u64),
// cpu_ns (u64), blocked_ns (u64), run_ns (u64).
constexpr std::size_t kIdOffset = 8;

template <class T>
void put(char* at, T value) noexcept {
  std::memcpy(at, &value, sizeof value);
}
template <class T>
T get(const char* at) noexcept {
  T value;
  std::memcpy(&value, at, sizeof value);
  return value;
}

bool known(std::uint8_t type) noexcept {
  return type >= static_cast<std::uint8_t>(FrameType::call) &&
         type <= static_cast<std::uint8_t>(FrameType::goodbye);
}

}  // namespace

void append_frame(std::string& out, FrameType type, std::uint64_t id, std::string_view text,
                  std::string_view payload, std::uint64_t cpu_ns, std::uint64_t blocked_ns,
                  std::uint64_t run_ns) {
  if (text.size() > kMaxFrameText) {
    throw FrameError("a frame's text of " + std::to_string(text.size()) + " bytes is over the " +
                     std::to_string(kMaxFrameText) + "-byte limit");
  }
  const std::size_t body = text.size() + payload.size();
  if (body > kMaxFrameBody) {
    throw FrameError("a frame of " + std::to_string(body) + " bytes is over the " +
                     std::to_string(kMaxFrameBody >> 20) + " MiB limit");
  }
  char header[kFrameHeader] = {};
  put(header, static_cast<std::uint32_t>(body));
  put(header + 4, static_cast<std::uint8_t>(type));
  put(header + 6, static_cast<std::uint16_t>(text.size()));
  put(header + kIdOffset, id);
  put(header + 16, cpu_ns);
  put(header + 24, blocked_ns);
  put(header + 32, run_ns);
  out.reserve(out.size() + kFrameHeader + body);
  out.append(header, kFrameHeader).append(text).append(payload);
}

void set_frame_id(std::string& frame, std::uint64_t id) noexcept {
  if (frame.size() >= kFrameHeader) put(frame.data() + kIdOffset, id);
}

void FrameReader::feed(const char* data, std::size_t size) {
  buffer_.append(std::string_view(data, size));
}

std::optional<Frame> FrameReader::next() {
  const std::size_t available = buffer_.size();
  if (available < kFrameHeader) return std::nullopt;
  const char* h = buffer_.front().data();
  const auto body = get<std::uint32_t>(h);
  const auto type = get<std::uint8_t>(h + 4);
  const auto text = get<std::uint16_t>(h + 6);
  if (!known(type)) throw FrameError("unknown frame type " + std::to_string(type));
  if (body > kMaxFrameBody) {
    throw FrameError("a frame length of " + std::to_string(body) + " bytes is over the " +
                     std::to_string(kMaxFrameBody >> 20) + " MiB limit");
  }
  if (text > body) {
    throw FrameError("a frame's text length (" + std::to_string(text) +
                     ") is longer than its body (" + std::to_string(body) + ")");
  }
  if (available < kFrameHeader + body) return std::nullopt;
  Frame f;
  f.type = static_cast<FrameType>(type);
  f.id = get<std::uint64_t>(h + kIdOffset);
  f.cpu_ns = get<std::uint64_t>(h + 16);
  f.blocked_ns = get<std::uint64_t>(h + 24);
  f.run_ns = get<std::uint64_t>(h + 32);
  f.text.assign(h + kFrameHeader, text);
  f.payload.assign(h + kFrameHeader + text, body - text);
  buffer_.take(kFrameHeader + body);
  return f;
}

void FrameReader::finish() const {
  if (!partial()) return;
  throw FrameError("the stream ended in the middle of a frame (" + progress() + ")");
}

std::string FrameReader::stalled(std::chrono::milliseconds quiet) const {
  const std::string how_long = quiet.count() % 1000 == 0
                                   ? std::to_string(quiet.count() / 1000) + " s"
                                   : std::to_string(quiet.count()) + " ms";
  return "a frame stopped arriving (" + progress() + " came, then nothing for " + how_long + ")";
}

std::string FrameReader::progress() const {
  const std::size_t left = buffer_.size();
  if (left < kFrameHeader) {
    return std::to_string(left) + " of " + std::to_string(kFrameHeader) + " header bytes";
  }
  const std::size_t whole = kFrameHeader + get<std::uint32_t>(buffer_.front().data());
  return std::to_string(left) + " of " + std::to_string(whole) + " bytes";
}

}  // namespace switchyard::detail
