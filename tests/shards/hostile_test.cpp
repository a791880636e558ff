// Shards that send what no honest shard would, and calls as large as the wire allows.
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include <switchyard/errors.hpp>
#include <switchyard/runtime.hpp>

#include "shard/frame.hpp"
#include "shard_support.hpp"
#include "shard_tasks.hpp"

namespace switchyard::test {

namespace {

using std::chrono::seconds;
using std::chrono::steady_clock;

std::uint64_t restarts(const Runtime& rt) {
  for (const auto& e : rt.report().executors) {
    if (e.placement == Placement::shard) return e.restarts;
  }
  return 0;
}

// resolved() waits up to 30 s for `future`: a call must end with a value or an error.
template <class T>
bool resolved(const Future<T>& future) {
  return future.wait_for(seconds(30));
}

}  // namespace

TEST_CASE("a result announcing more than it holds fails its call, unallocated; the shard goes",
          "[hostile]") {
  Runtime rt(shard_config(1, 8));
  const Hint shard = on(Placement::shard);
  CHECK(rt.submit(shard, add, 1, 2).get() == 3);
  const PeakResident memory;
  auto lied = rt.submit(shard, lie);
  REQUIRE(resolved(lied));
  try {
    lied.get();
    FAIL("a result announcing 1 GiB and holding nothing decoded");
  } catch (const ShardCallRejected& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("'lie'") &&
                                          Catch::Contains("did not decode") &&
                                          Catch::Contains("268435456"));
  }
  CHECK(memory.growth() < (std::size_t{64} << 20));
  // Like a frame that is not one, it ends the shard's connection (a call sent there meanwhile
  // is lost with it), and the slot serves again.
  const auto give_up = steady_clock::now() + seconds(30);
  while (restarts(rt) == 0 && steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(restarts(rt) >= 1);
  CHECK(rt.submit(shard, add, 20, 22).get() == 42);
}

TEST_CASE("a shard that stops in the middle of a frame is dropped once the stall limit passes",
          "[hostile]") {
  Config config = shard_config(1, 8);
  config.kinds["naps_again"].idempotent = true;
  Runtime rt(config);
  const Hint shard = on(Placement::shard);
  CHECK(rt.submit(shard, add, 1, 2).get() == 3);
  const auto start = steady_clock::now();
  auto stalled = rt.submit(shard, stall_mid_frame);
  auto next = rt.submit(shard, nap, 1, 1);
  auto again = rt.submit(shard, naps_again, 2, 1);
  REQUIRE(resolved(stalled));
  REQUIRE(resolved(next));
  REQUIRE(resolved(again));
  CHECK(steady_clock::now() - start < seconds(30));
  try {
    stalled.get();
    FAIL("the call whose answer never ended returned");
  } catch (const ShardLost& e) {
    CHECK_THAT(std::string(e.what()),
               Catch::Contains("'stall_mid_frame'") && Catch::Contains("stopped arriving"));
  }
  // The next call was answered into the frame that never ended, or waited for the restart.
  try {
    const int value = next.get();
    CHECK(value == 1);
  } catch (const ShardLost& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("stopped arriving"));
  }
  CHECK(again.get() == 2);  // idempotent: sent again
  CHECK(rt.submit(shard, add, 20, 22).get() == 42);
  CHECK(restarts(rt) >= 1);
}

TEST_CASE("200 MiB of arguments cross to a shard", "[large]") {
  Runtime rt(shard_config(1, 2));
  const std::string big(std::size_t{200} << 20, 'b');
  CHECK(rt.submit(on(Placement::shard), length_of, big).get() == big.size());
}

TEST_CASE("the largest call a frame holds crosses to a shard; one byte more is refused",
          "[large]") {
  Runtime rt(shard_config(1, 2));
  const Hint shard = on(Placement::shard);
  // The frame's body is the task's name, then the string: its length (8 bytes), its bytes.
  const std::size_t fits =
      detail::kMaxFrameBody - std::string_view("length_of").size() - sizeof(cereal::size_type);
  std::string big(fits, 'b');
  CHECK(rt.submit(shard, length_of, big).get() == fits);
  big.push_back('b');
  try {
    rt.submit(shard, length_of, big).get();
    FAIL("a call over the frame limit was sent");
  } catch (const ShardCallRejected& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("over the 256 MiB limit"));
  }
}

}  // namespace switchyard::test
