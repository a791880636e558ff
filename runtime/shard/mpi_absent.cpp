// A build without MPI: mpi_place() is never set, so neither of these is called.
#include <stdexcept>

#include "shard/mpi_job.hpp"

namespace switchyard::detail {

namespace {

[[noreturn]] void no_mpi() {
  throw std::logic_error("switchyard: this build has no MPI support (meson -Dmpi=disabled)");
}

}  // namespace

void serve_mpi_rank(const MpiPlace&, const TaskTable&) {
  no_mpi();
}

std::unique_ptr<Transport> make_mpi_transport(const MpiPlace&) {
  no_mpi();
}

}  // namespace switchyard::detail
