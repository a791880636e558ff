#include "shard/shard_server.hpp"

#include <cxxabi.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <memory>
#include <string>
#include <typeinfo>

#include <switchyard/errors.hpp>

#include "core/clock.hpp"
#include "shard/call_time.hpp"
#include "shard/frame.hpp"

namespace switchyard::detail {

namespace {

// current_exception_type() names the type of the exception being handled, demangled.
std::string current_exception_type() {
  const std::type_info* type = abi::__cxa_current_exception_type();
  if (type == nullptr) return "unknown";
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(type->name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(type->name());
}

bool write_all(int fd, const std::string& bytes) noexcept {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// readable_within() waits up to `wait` for `fd` to have bytes, or its end, to read.
bool readable_within(int fd, std::chrono::milliseconds wait) noexcept {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
    if (ready >= 0 || errno != EINTR) return ready != 0;  // an error: the read says which
  }
}

// receive() reads what the parent sent. Within kPollWindow of the last answer it polls
// before it sleeps: a caller that sends its next call right after an answer then finds the
// shard awake, and saves the wake-up of an idle CPU (the dearest part of a round trip on a VM).
// Inside a frame it waits at most kFrameStall for the rest, then throws FrameError: a parent
// that stopped in the middle of a call would otherwise hold the shard forever.
ssize_t receive(int fd, std::string& buffer, std::int64_t answered_at, const FrameReader& reader) {
  const std::int64_t window = std::chrono::nanoseconds(kPollWindow).count();
  while (clock_ns(CLOCK_MONOTONIC) - answered_at < window) {
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return n;
  }
  if (reader.partial() && !readable_within(fd, kFrameStall)) {
    throw FrameError(reader.stalled(kFrameStall));
  }
  return ::read(fd, buffer.data(), buffer.size());
}

}  // namespace

void answer_call(const TaskTable& tasks, const Frame& call, std::string& out) {
  const TaskEntry* task = tasks.find(call.text);
  if (task == nullptr) {
    append_frame(out, FrameType::rejected, call.id, {},
                 "no task named '" + call.text + "' is registered in this program");
    return;
  }
  std::string result;
  // The CPU clock is exact; getrusage's CPU time can be a scheduler tick old, and is read
  // here for its count of voluntary switches only.
  const ThreadUsage usage0 = thread_usage();
  const std::int64_t cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
  const std::int64_t wall0 = clock_ns(CLOCK_MONOTONIC);
  FrameType type = FrameType::result;
  std::string text;
  try {
    task->invoke(call.payload, result);
  } catch (const BadArguments& e) {
    type = FrameType::rejected;
    result = "the arguments of '" + call.text + "' did not decode: " + e.what();
  } catch (const std::exception& e) {
    type = FrameType::failure;
    text = current_exception_type();
    result = e.what();
  } catch (...) {
    type = FrameType::failure;
    text = current_exception_type();
    result = "'" + call.text + "' threw an exception that is not a std::exception";
  }
  const std::int64_t wall = clock_ns(CLOCK_MONOTONIC) - wall0;
  const std::int64_t cpu =
      std::clamp<std::int64_t>(clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0, 0, wall);
  const ThreadUsage usage = thread_usage();
  const auto u = [](std::int64_t ns) { return static_cast<std::uint64_t>(ns); };
  const std::uint64_t blocked = u(blocked_ns(usage0, usage, wall - cpu));
  try {
    append_frame(out, type, call.id, text, result, u(cpu), blocked, u(wall));
  } catch (const FrameError& e) {
    append_frame(out, FrameType::rejected, call.id, {},
                 std::string("the result of '") + call.text + "' cannot be sent: " + e.what(),
                 u(cpu), blocked, u(wall));
  }
}

std::optional<Frame> next_call(FrameReader& reader) {
  std::optional<Frame> frame = reader.next();
  if (frame && frame->type != FrameType::call) {
    throw FrameError("a shard received a frame of type " +
                     std::to_string(static_cast<int>(frame->type)) + ", not a call");
  }
  return frame;
}

int serve_shard(int fd, const TaskTable& tasks) noexcept {
  try {
    FrameReader reader;
    std::string buffer(64 * 1024, '\0');
    std::int64_t answered_at = 0;
    std::string out;
    for (;;) {
      const ssize_t n = receive(fd, buffer, answered_at, reader);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return kShardBrokenLink;
      if (n == 0) {
        reader.finish();
        return kShardDone;
      }
      reader.feed(buffer.data(), static_cast<std::size_t>(n));
      out.clear();
      try {
        while (auto call = next_call(reader)) {
          answer_call(tasks, *call, out);
          // Answer as soon as a call is done: later calls may be long.
          if (!write_all(fd, out)) return kShardBrokenLink;
          out.clear();
          answered_at = clock_ns(CLOCK_MONOTONIC);
        }
      } catch (const FrameError& e) {
        out.clear();
        append_frame(out, FrameType::goodbye, 0, {}, e.what());
        write_all(fd, out);
        return kShardBadFrame;
      }
    }
  } catch (const FrameError& e) {
    std::string out;
    append_frame(out, FrameType::goodbye, 0, {}, e.what());
    write_all(fd, out);
    return kShardBadFrame;
  } catch (...) {
    return kShardBrokenLink;
  }
}

}  // namespace switchyard::detail
