#include "io_contexts.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>

namespace asio_peer {

std::uint64_t default_threads() noexcept {
  return std::max(1U, std::thread::hardware_concurrency());
}

IoContexts::IoContexts(std::uint64_t count) {
  if (count < 1 || count > kMaxThreads) {
    throw std::invalid_argument("--threads " + std::to_string(count) + ": must be 1.." +
                                std::to_string(kMaxThreads));
  }
  contexts_.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<asio::io_context>(1));
  }
}

void IoContexts::run() {
  std::vector<std::thread> running;
  running.reserve(contexts_.size() - 1);
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    running.emplace_back([&context = *contexts_[i]] { context.run(); });
  }
  contexts_.front()->run();
  for (std::thread& t : running) t.join();
}

void IoContexts::stop() noexcept {
  for (auto& context : contexts_) context->stop();
}

}  // namespace asio_peer
