// Run under mpirun, expected to fail (tests/mpi/meson.build): a task crashes its rank, and the
// job ends rather than leaving the call unanswered. Rank 0 exits 0 only if it survives the
// lost rank, which Open MPI 4.1 (no fault tolerance) never lets it do.
#include <csignal>
#include <cstdio>

#include <switchyard/runtime.hpp>

namespace sy = switchyard;

namespace {

SWITCHYARD_TASK(crash_if, (bool crash)->int) {
  if (crash) std::raise(SIGSEGV);
  return 1;
}

}  // namespace

int main() {
  sy::Config config;
  config.profiling.calibrate = false;
  sy::Runtime rt(config);
  if (rt.submit(sy::on(sy::Placement::shard), crash_if, false).get() != 1) return 2;
  try {
    rt.submit(sy::on(sy::Placement::shard), crash_if, true).get();
    std::printf("the crashed rank's call returned\n");
  } catch (const std::exception& e) {
    std::printf("the crashed rank's call failed: %s\n", e.what());
  }
  return 0;
}
