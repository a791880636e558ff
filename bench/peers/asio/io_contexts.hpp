// IoContexts: one io_context per core, each run by a thread of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "asio_coroutines.hpp"

namespace asio_peer {

// kMaxThreads bounds --threads: as many as a large machine has cores.
inline constexpr std::uint64_t kMaxThreads = 256;

// default_threads() is one thread per hardware thread, the layout a C++ team picks for Asio.
std::uint64_t default_threads() noexcept;

// IoContexts is `count` io_contexts, each to be run by one thread only (concurrency hint 1),
// so that a connection's work stays on the thread its context runs on. Work is given to a
// context before run() or from its own thread.
class IoContexts {
 public:
  // IoContexts() makes `count` contexts. Throws std::invalid_argument naming --threads unless
  // `count` is 1..kMaxThreads.
  explicit IoContexts(std::uint64_t count);

  // size() is how many contexts there are.
  std::size_t size() const noexcept { return contexts_.size(); }

  // operator[]() is context `i` (0..size()-1).
  asio::io_context& operator[](std::size_t i) noexcept { return *contexts_[i]; }

  // run() runs every context on a thread of its own, the first on the calling thread: blocks
  // until each has run out of work or been stopped. From one thread, once.
  void run();

  // stop() stops every context; run() then returns. Safe from any thread.
  void stop() noexcept;

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;  // io_context cannot move
};

}  // namespace asio_peer
