#include "http_get.hpp"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

#include <switchyard/net.hpp>

namespace switchyard::top {

std::string http_get(std::string_view address, std::string_view path,
                     std::chrono::milliseconds timeout) {
  const Deadline deadline(timeout);
  const auto fail = [&](std::string_view why) {
    return std::runtime_error(fmt::format("GET http://{}{}: {}", address, path, why));
  };
  std::string answer;
  try {
    net::Socket s = net::connect(address, deadline);
    s.write_all(
        fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", path, address),
        deadline);
    std::array<char, 65536> buffer;
    while (const std::size_t n = s.read_some(buffer.data(), buffer.size(), deadline)) {
      if (answer.size() + n > kMaxAnswerBytes) throw fail("answer too long");
      answer.append(buffer.data(), n);
    }
  } catch (const net::IoError& e) {
    throw fail(e.what());
  }
  const std::size_t body = answer.find("\r\n\r\n");
  const std::string_view status = std::string_view(answer).substr(0, answer.find("\r\n"));
  if (body == std::string::npos || status.find(" 200 ") == std::string_view::npos) {
    throw fail(status.empty() ? "no answer" : status);
  }
  return answer.substr(body + 4);
}

}  // namespace switchyard::top
