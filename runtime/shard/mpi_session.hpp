// MpiSession: this process's membership of the MPI job, joined once. MPI builds only.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "shard/call_time.hpp"
#include "shard/frame.hpp"
#include "shard/mpi_job.hpp"

namespace switchyard::detail {

// MPI tags of the messages between rank 0 and a serving rank. Each message is one of:
enum MpiTag : int {
  kMpiHello = 1,     // rank 0 -> rank: are you there? (a greeting's number, 8 bytes)
  kMpiHere = 2,      // rank -> rank 0: the greeting's number, then "pid 4242 on host-b"
  kMpiCall = 3,      // rank 0 -> rank: one call frame
  kMpiAnswer = 4,    // rank -> rank 0: one answer frame (or a goodbye)
  kMpiFinalize = 5,  // rank 0 -> rank: leave the job (empty); rank -> rank 0: leaving
};

// MpiSession joins the job on first use (MPI_Init_thread, MPI_THREAD_SERIALIZED: one thread
// at a time calls MPI, whichever) on a communicator of its own. On rank 0 the process's exit
// tells every other rank to leave, takes in whatever they still send until each says it is
// leaving, and finalizes MPI.
class MpiSession {
 public:
  // join() is the session, joined on first use, at `place` (what the launcher's environment
  // said: MPI must agree). Throws std::runtime_error naming the problem: MPI cannot start,
  // disagrees with the environment, or the program initialized MPI itself (not supported).
  static MpiSession& join(const MpiPlace& place);

  MPI_Comm comm() const noexcept { return comm_; }
  int size() const noexcept { return size_; }
  // who() names this process in errors: "pid 4242 on host-b".
  const std::string& who() const noexcept { return who_; }

  // claim() takes the ranks for one transport: false while another holds them (a second
  // Runtime of this process); release() gives them back.
  bool claim() noexcept { return !claimed_.exchange(true); }
  void release() noexcept { claimed_.store(false); }

  // kMaxMessage bounds a message: one frame, the largest there may be.
  static constexpr std::size_t kMaxMessage = kFrameHeader + kMaxFrameBody;

  // Receipt is what try_receive() found.
  enum class Receipt : std::uint8_t {
    none,     // no message has come
    message,  // a message, now in the buffer
    dropped,  // a message over kMaxMessage: taken off the wire unread, the buffer left empty
  };
  // try_receive() takes a message from `source` (or MPI_ANY_SOURCE) into `buffer`, if one
  // has come, and its envelope into `status`. From the one thread calling MPI at the time.
  Receipt try_receive(int source, std::string& buffer, MPI_Status& status) noexcept;
  // size_of() is the size of the message `status` describes.
  static std::size_t size_of(const MPI_Status& status) noexcept;
  // oversize() says why the message `status` describes was dropped: "a message of 268435497
  // bytes, over the 268435496-byte limit of one frame".
  static std::string oversize(const MPI_Status& status);

 private:
  MpiSession();
  // instance() is the one session, made on first use. Throws as join() does.
  static MpiSession& instance();
  static void leave() noexcept;
  // take() receives the message `status` announced into `buffer`; one over kMaxMessage is
  // received into nothing and dropped (false), so that no sender's size is allocated blindly.
  bool take(const MPI_Status& status, std::string& buffer) const noexcept;

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  std::string who_;
  std::atomic<bool> claimed_{false};
};

// IdleBackoff paces a thread that polls MPI for messages: MPI has no descriptor to sleep on,
// and a blocking MPI receive spins a core. For kPollWindow after the last message it polls
// without sleeping (an answer to a short call is that close: a sleep and a wake-up on a VM
// cost more); then it sleeps after each idle poll, 20 us at first, doubling to 1 ms.
class IdleBackoff {
 public:
  // busy() records a message.
  void busy() noexcept {
    last_ = std::chrono::steady_clock::now();
    next_ = kFirst;
  }
  // pause() is how long to sleep after an idle poll: zero within the poll window.
  std::chrono::microseconds pause() noexcept {
    if (std::chrono::steady_clock::now() - last_ < kPollWindow) return {};
    const auto now = next_;
    next_ = std::min(next_ * 2, kMost);
    return now;
  }

 private:
  static constexpr std::chrono::microseconds kFirst{20};
  static constexpr std::chrono::microseconds kMost{1000};
  std::chrono::steady_clock::time_point last_;
  std::chrono::microseconds next_ = kFirst;
};

}  // namespace switchyard::detail
