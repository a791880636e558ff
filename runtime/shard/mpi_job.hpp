// MPI job: shards on the other ranks of an MPI job, when mpirun started the program.
#pragma once

#include <memory>
#include <optional>

#include "shard/task_table.hpp"
#include "shard/transport.hpp"

namespace switchyard::detail {

// MpiPlace is this process's place in the job mpirun started: its rank and the job's size.
struct MpiPlace {
  int rank = 0;
  int size = 1;
};

// mpi_place() reads this process's place from the environment mpirun gives it, without
// calling MPI: nullopt when mpirun did not start it, or started it alone. In a build without
// MPI it is always nullopt, and says once on stderr that every rank runs the whole program.
std::optional<MpiPlace> mpi_place() noexcept;

// serve_mpi_rank() is what every rank but 0 does instead of the program's own work, from its
// first Runtime on: it joins the job and answers rank 0's calls of `tasks` until rank 0
// exits, then ends the process (exit status 0). Never returns. Throws std::runtime_error,
// before it serves, when MPI cannot start.
[[noreturn]] void serve_mpi_rank(const MpiPlace& place, const TaskTable& tasks);

// make_mpi_transport() is rank 0's Transport to the other ranks: slot i is rank i + 1. The
// first one joins the job; the job is left when the process exits. One Runtime at a time may
// have it. Throws std::runtime_error when MPI cannot start, or another Runtime of this
// process holds the ranks.
std::unique_ptr<Transport> make_mpi_transport(const MpiPlace& place);

}  // namespace switchyard::detail
