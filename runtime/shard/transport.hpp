// Transport: how a ShardPool reaches its shards, whatever carries the frames.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shard/call_time.hpp"
#include "shard/frame.hpp"

namespace switchyard::detail {

// Verdict is what the pool made of an answer a shard sent. Any but `taken` means the link is
// broken: the transport drops it, as it drops one that carries bytes that are not a frame.
enum class Verdict : std::uint8_t {
  taken,      // it answers a call sent on that link, or one on a link already given up
  unasked,    // it answers no call sent on that link
  malformed,  // its result did not decode; that call failed saying why
};

// broken_link() says why an answer with `verdict` to call `id` broke its link: "it answered
// call 7, which it was not sent".
inline std::string broken_link(Verdict verdict, std::uint64_t id) {
  return verdict == Verdict::malformed
             ? "its answer to call " + std::to_string(id) + " did not decode"
             : "it answered call " + std::to_string(id) + ", which it was not sent";
}

// Transport starts shard processes in numbered slots and carries frames to and from them.
// Every connection to a shard is a *link* with an id never reused, so that a frame meant
// for a shard that has since died and been replaced never reaches the replacement. The
// local transport forks shards on this machine and talks over socketpairs; other transports
// may put shards elsewhere.
class Transport {
 public:
  // Events receives what happens to the shards, on the transport's own thread, one event at
  // a time.
  class Events {
   public:
    virtual ~Events() = default;
    // on_up(): slot `shard` is served by a new shard on link `link`; `who` names it in
    // errors ("pid 4242").
    virtual void on_up(std::size_t shard, std::uint64_t link, std::string who) noexcept = 0;
    // on_frame(): an answer arrived. Unless the verdict is `taken`, the transport then drops
    // the link as broken.
    virtual Verdict on_frame(std::size_t shard, std::uint64_t link, Frame&& frame) noexcept = 0;
    // on_down(): the shard on `link` is gone (link 0: a start failed), `how` says how it
    // ended ("was killed by signal 9 (Killed)"). No shard can be started any more once
    // `restartable` is false.
    virtual void on_down(std::size_t shard, std::uint64_t link, std::string how,
                         bool restartable) noexcept = 0;
  };

  virtual ~Transport() = default;

  // slots() is how many shards the transport runs at most.
  virtual std::size_t slots() const noexcept = 0;
  // open() starts delivering events to `events`; call once, before start(). Throws
  // std::system_error when the transport's thread cannot start.
  virtual void open(Events& events) = 0;
  // start() starts a shard in slot `shard` after `delay`: on_up or on_down follows. Never
  // blocks; any thread.
  virtual void start(std::size_t shard, std::chrono::milliseconds delay) = 0;
  // send() sends a frame on `link`, or returns false if that link is gone (its calls are then
  // answered by on_down). Never blocks: what cannot be written at once is kept and written
  // when the shard reads. Any thread.
  virtual bool send(std::size_t shard, std::uint64_t link, std::string_view frame) = 0;
  // expect_answers() says whether answers are due within kPollWindow (short calls are on
  // the wire): the transport may then poll for them rather than sleep. Any thread.
  virtual void expect_answers(bool soon) noexcept = 0;
  // round_trip_ns() is what a round trip to one of its shards costs, when the transport
  // measures that itself because calibration's figure (a process on this machine) does not
  // describe its shards: the MPI transport's ranks. nullopt for local shards, or when it has
  // no measurement within `wait`. Blocks up to `wait`; any thread.
  virtual std::optional<double> round_trip_ns(std::chrono::milliseconds /*wait*/) noexcept {
    return std::nullopt;
  }
  // stop() ends every shard; no event is delivered once it returns. Blocks until the shard
  // processes are gone. Idempotent.
  virtual void stop() noexcept = 0;
};

}  // namespace switchyard::detail
