// LocalTransport: shards forked on this machine, reached over socketpairs.
#pragma once

#include <sys/types.h>

#include <sys/epoll.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/topology.hpp>

#include "shard/byte_queue.hpp"
#include "shard/frame.hpp"
#include "shard/task_table.hpp"
#include "shard/transport.hpp"
#include "shard/zygote.hpp"

namespace switchyard::detail {

// LocalTransport forks its Zygote when constructed (so construct it before the runtime's
// threads start) and runs one thread that waits, in epoll, on the zygote's reports, every
// shard's connection and its own wake-up descriptor. Shard `i` is pinned to allowed core
// i modulo the core count. A shard is declared down once both its connection has closed and
// the zygote has reported how it ended (or after a grace of two seconds without that report).
// A shard that leaves a frame begun and sends no byte for kFrameStall is taken down the same
// way, as one that broke the protocol.
//
// While the pool expects answers within kPollWindow, the thread polls for up to that long
// before it sleeps: such an answer then takes one wake-up, the caller's, instead of two.
class LocalTransport final : public Transport {
 public:
  // LocalTransport() forks the zygote for `slots` shards. Throws std::system_error.
  LocalTransport(std::size_t slots, const TaskTable& tasks, const Topology& topology);
  ~LocalTransport() override;

  std::size_t slots() const noexcept override { return links_.size(); }
  void open(Events& events) override;
  void start(std::size_t shard, std::chrono::milliseconds delay) override;
  bool send(std::size_t shard, std::uint64_t link, std::string_view frame) override;
  void expect_answers(bool soon) noexcept override { answers_soon_.store(soon); }
  void stop() noexcept override;

 private:
  enum class State : std::uint8_t { down, starting, up, ending };
  struct Link {
    explicit Link(std::size_t slot) noexcept : shard(slot) {}
    const std::size_t shard;
    std::mutex mutex;  // guards fd, id and out: senders and the transport thread share them
    int fd = -1;
    std::uint64_t id = 0;
    ByteQueue out;  // bytes the socket did not take yet
    // The transport thread's own:
    State state = State::down;
    pid_t pid = 0;  // 0: none; -1: asked of the zygote, which has not answered yet
    FrameReader reader;
    std::string problem;  // what the shard did wrong, if that is why it is going down
    // starting: when; ending: when to give up waiting; up, inside a frame: when it has stalled
    std::chrono::steady_clock::time_point deadline;
  };

  void run() noexcept;
  int wait(epoll_event* events, int capacity) noexcept;
  int timeout_ms() const noexcept;
  void take_start_requests() noexcept;
  void on_reports() noexcept;
  void on_readable(std::size_t shard) noexcept;
  void flush(Link& link) noexcept;
  void end_link(std::size_t shard, std::string problem) noexcept;
  void down(std::size_t shard, int status) noexcept;
  void on_deadlines() noexcept;
  void zygote_lost(const std::string& why) noexcept;
  void watch(Link& link, bool writable) noexcept;

  const Topology topology_;
  Zygote zygote_;
  std::vector<std::unique_ptr<Link>> links_;
  Events* events_ = nullptr;
  int epoll_ = -1;
  int wake_ = -1;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> answers_soon_{false};
  std::once_flag stopped_;

  std::mutex requests_mutex_;
  std::vector<std::pair<std::size_t, std::chrono::steady_clock::time_point>> requests_;

  // The transport thread's own:
  std::uint64_t next_link_ = 1;
  bool zygote_alive_ = true;
  std::string zygote_end_;            // how the zygote ended, once it did
  std::map<pid_t, int> early_exits_;  // exit statuses reported before the link closed
};

}  // namespace switchyard::detail
