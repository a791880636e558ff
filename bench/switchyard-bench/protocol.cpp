#include "protocol.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <fmt/core.h>

namespace switchyard::bench {

namespace {

// take_number() parses the unsigned decimal at the start of `text` and removes it; nullopt
// unless there is at least one digit and the value fits.
std::optional<std::uint64_t> take_number(std::string_view& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{}) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

}  // namespace

std::string request_line(const Request& request) {
  return fmt::format("D {} {}\n", request.delay_us, request.reply_bytes);
}

std::variant<Request, std::string> parse_request(std::string_view line) {
  constexpr std::string_view kShape = "expected 'D <delay_us> <reply_bytes>'";
  if (!line.starts_with("D ")) return std::string(kShape);
  line.remove_prefix(2);
  const auto delay = take_number(line);
  if (!delay || !line.starts_with(' ')) return std::string(kShape);
  line.remove_prefix(1);
  const auto bytes = take_number(line);
  if (!bytes || !line.empty()) return std::string(kShape);
  if (*delay > kMaxDelayUs) return fmt::format("delay_us {} above {}", *delay, kMaxDelayUs);
  if (*bytes < 1 || *bytes > kMaxReplyBytes) {
    return fmt::format("reply_bytes {} outside 1..{}", *bytes, kMaxReplyBytes);
  }
  return Request{*delay, static_cast<std::size_t>(*bytes)};
}

std::variant<Request, std::string> parse_http_request(std::string_view line) {
  constexpr std::string_view kShape = "expected 'GET /delay?us=<delay_us>&bytes=<reply_bytes>'";
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (!line.starts_with("GET /delay?us=")) return std::string(kShape);
  line.remove_prefix(std::string_view("GET /delay?us=").size());
  const auto delay = take_number(line);
  if (!delay || !line.starts_with("&bytes=")) return std::string(kShape);
  line.remove_prefix(std::string_view("&bytes=").size());
  const auto bytes = take_number(line);
  if (!bytes || !line.starts_with(" HTTP/1.")) return std::string(kShape);
  return parse_request(fmt::format("D {} {}", *delay, *bytes));
}

void check_reply(std::string_view reply, std::size_t expected_bytes) {
  if (reply.size() == expected_bytes && reply.ends_with('\n')) return;
  const std::string_view start = reply.substr(0, 40);
  if (reply.size() != expected_bytes) {
    throw std::runtime_error(
        fmt::format("reply of {} bytes, expected {}: {:?}", reply.size(), expected_bytes, start));
  }
  throw std::runtime_error(
      fmt::format("reply of {} bytes does not end in a newline: {:?}", reply.size(), start));
}

}  // namespace switchyard::bench
