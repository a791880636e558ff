// mpi_place(): whether mpirun started this process, from its environment.
#include <cstdlib>
#include <mutex>
#include <string>

#include "core/logger.hpp"
#include "shard/mpi_job.hpp"

namespace switchyard::detail {

namespace {

// number() is the environment variable `name` as a whole number, or -1.
int number(const char* name) noexcept {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return -1;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return *end == '\0' && value >= 0 && value < (1L << 30) ? static_cast<int>(value) : -1;
}

}  // namespace

std::optional<MpiPlace> mpi_place() noexcept {
  // Open MPI's mpirun, then the PMI of MPICH's and Slurm's launchers.
  for (const auto& [rank_name, size_name] :
       {std::pair{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
        std::pair{"PMI_RANK", "PMI_SIZE"}}) {
    const int rank = number(rank_name);
    const int size = number(size_name);
    if (rank < 0 || size < 2 || rank >= size) continue;
#if SWITCHYARD_HAVE_MPI
    return MpiPlace{rank, size};
#else
    static std::once_flag said;
    std::call_once(said, [&] {
      log(LogLevel::warning, "mpi_missing", {},
          "switchyard: started by an MPI launcher as rank {} of {}, but built without MPI "
          "(meson -Dmpi=disabled, or no MPI found): every rank runs the whole program, with "
          "shards of its own",
          rank, size);
    });
    return std::nullopt;
#endif
  }
  return std::nullopt;
}

}  // namespace switchyard::detail
