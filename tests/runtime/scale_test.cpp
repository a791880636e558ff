#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;

TEST_CASE("100,000 fibers are alive at once and all finish", "[scale]") {
  constexpr int kFibers = 100'000;
  sy::Runtime rt(sy::test::small_config());
  std::atomic<int> started{0};
  std::atomic<bool> release{false};
  // Every fiber waits on the gate until all have started: they are alive at once.
  auto gate = rt.spawn("gate", [&] {
    while (!release.load()) sy::this_task::sleep_for(std::chrono::milliseconds(1));
  });
  std::vector<sy::Future<std::int64_t>> futures;
  futures.reserve(kFibers);
  for (int i = 0; i < kFibers; ++i) {
    futures.push_back(rt.spawn(
        "many",
        [&, i]() -> std::int64_t {
          started.fetch_add(1);
          gate.wait();
          return i;
        },
        sy::on(sy::Placement::fiber)));
  }
  while (started.load() < kFibers) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(started.load() == kFibers);
  release = true;
  std::int64_t sum = 0;
  for (auto& f : futures) sum += f.get();
  REQUIRE(sum == std::int64_t{kFibers} * (kFibers - 1) / 2);
}
