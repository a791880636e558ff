// Shards that send what no honest shard would.
#include <chrono>
#include <cstdint>
#include <string>

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

TEST_CASE("a result that announces more than it holds fails its call, without being allocated, "
          "and its shard is replaced",
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
  // Like a frame that is not one, it ends the shard's connection: the slot serves again.
  CHECK(rt.submit(shard, add, 20, 22).get() == 42);
  CHECK(restarts(rt) >= 1);
}

}  // namespace switchyard::test
