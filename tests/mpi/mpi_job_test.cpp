// Run under mpirun (tests/mpi/meson.build): rank 0 runs these tests; every other rank serves
// as a shard from its first Runtime on, and never reaches an assertion.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <switchyard/errors.hpp>
#include <switchyard/runtime.hpp>
#include <switchyard/spin.hpp>

#include "../shards/shard_support.hpp"
#include "shard/frame.hpp"
#include "shard/mpi_job.hpp"
#include "shard/mpi_session.hpp"

namespace sy = switchyard;

namespace {

// rank() is the MPI rank of the process running the caller.
int rank() {
  const char* text = std::getenv("OMPI_COMM_WORLD_RANK");
  return text != nullptr ? std::atoi(text) : -1;
}

int world_size() {
  const char* text = std::getenv("OMPI_COMM_WORLD_SIZE");
  return text != nullptr ? std::atoi(text) : 1;
}

// cpu_step() is one task of the benchmark's cpu workload, with the rank that ran it.
SWITCHYARD_TASK(cpu_step,
                (std::uint64_t seed, std::uint64_t iters)->std::pair<std::uint64_t, int>) {
  return {sy::spin(seed, iters), rank()};
}

SWITCHYARD_TASK(refuses, (int value)->int) {
  throw std::invalid_argument("refused " + std::to_string(value) + " on rank " +
                              std::to_string(rank()));
}

// oversize_answer() sends rank 0, as an answer, a message a byte longer than the largest
// frame, of bytes that are no frame, then returns as usual.
SWITCHYARD_TASK(oversize_answer, ()->int) {
  const std::optional<sy::detail::MpiPlace> place = sy::detail::mpi_place();
  const MPI_Comm comm = sy::detail::MpiSession::join(*place).comm();
  const std::string junk(sy::detail::kFrameHeader + sy::detail::kMaxFrameBody + 1, '\xff');
  MPI_Send(junk.data(), static_cast<int>(junk.size()), MPI_BYTE, 0, sy::detail::kMpiAnswer, comm);
  return 1;
}

sy::Config quiet() {
  sy::Config config;
  config.profiling.calibrate = false;
  return config;
}

}  // namespace

TEST_CASE("the cpu workload over the ranks: its checksum, and every rank took part", "[mpi]") {
  sy::Runtime rt(quiet());
  // Only rank 0 gets here: the others serve from the Runtime's construction on.
  REQUIRE(rank() == 0);
  REQUIRE(world_size() >= 2);
  SECTION("the test vector: 20 tasks x 200000") {
    std::vector<sy::Future<std::pair<std::uint64_t, int>>> calls;
    for (std::uint64_t i = 0; i < 20; ++i) {
      calls.push_back(rt.submit(sy::on(sy::Placement::shard), cpu_step, i, std::uint64_t{200000}));
    }
    std::uint64_t checksum = 0;
    for (auto& c : calls) checksum += c.get().first;
    CHECK(checksum == 12944723528927218710ULL);
  }
  SECTION("400 tasks: each remote rank ran some, and no task ran here") {
    std::vector<sy::Future<std::pair<std::uint64_t, int>>> calls;
    std::uint64_t want = 0;
    for (std::uint64_t i = 0; i < 400; ++i) {
      calls.push_back(rt.submit(sy::on(sy::Placement::shard), cpu_step, i, std::uint64_t{100000}));
      want += sy::spin(i, 100000);
    }
    std::uint64_t checksum = 0;
    std::set<int> ranks;
    for (auto& c : calls) {
      const auto [value, ran_on] = c.get();
      checksum += value;
      ranks.insert(ran_on);
    }
    CHECK(checksum == want);
    std::set<int> remote;
    for (int r = 1; r < world_size(); ++r) remote.insert(r);
    CHECK(ranks == remote);
  }
}

TEST_CASE("a task's exception on a remote rank reaches the caller", "[mpi]") {
  sy::Runtime rt(quiet());
  auto call = rt.submit(sy::on(sy::Placement::shard), refuses, 7);
  try {
    call.get();
    FAIL("the call should have thrown");
  } catch (const sy::ShardTaskError& e) {
    CHECK_THAT(e.what(), Catch::Matches("refused 7 on rank [1-9][0-9]*"));  // not here, rank 0
    CHECK(e.type() == "std::invalid_argument");
  }
}

TEST_CASE("the policies weigh a remote shard by the round trip measured to the ranks", "[mpi]") {
  sy::Runtime rt(quiet());
  const sy::Figure& shard = rt.calibrate().model.process_round_trip_ns;
  REQUIRE(shard.value);
  CHECK_THAT(shard.note, Catch::Contains("MPI"));
  // A ping between processes on this machine: microseconds, not a task's run time.
  CHECK(*shard.value > 100);
  CHECK(*shard.value < 5e6);
}

TEST_CASE("one Runtime at a time has the ranks", "[mpi]") {
  sy::Runtime first(quiet());
  CHECK_THROWS_WITH(sy::Runtime(quiet()), Catch::Contains("one Runtime at a time"));
  // The first still has them.
  CHECK(first.submit(sy::on(sy::Placement::shard), cpu_step, std::uint64_t{1}, std::uint64_t{10})
            .get()
            .second > 0);
}

TEST_CASE("a rank's message over the frame limit is dropped unread, and the rank serves again",
          "[mpi]") {
  sy::Runtime rt(quiet());
  REQUIRE(rt.submit(sy::on(sy::Placement::shard), cpu_step, std::uint64_t{1}, std::uint64_t{10})
              .get()
              .second > 0);
  const sy::test::PeakResident memory;
  auto call = rt.submit(sy::on(sy::Placement::shard), oversize_answer);
  try {
    call.get();
    FAIL("the call whose rank sent an oversize answer returned");
  } catch (const sy::ShardLost& e) {
    CHECK_THAT(e.what(), Catch::Contains("268435497 bytes") && Catch::Contains("over the"));
  }
  CHECK(memory.growth() < (std::size_t{64} << 20));
  for (int i = 0; i < 4; ++i) {
    CHECK(rt.submit(sy::on(sy::Placement::shard), cpu_step, std::uint64_t{1}, std::uint64_t{10})
              .get()
              .second > 0);
  }
}
