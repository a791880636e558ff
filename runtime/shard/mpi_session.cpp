#include "mpi_session.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace switchyard::detail {

namespace {

std::string mpi_error(int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, static_cast<std::size_t>(length));
}

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) {
    throw std::runtime_error(std::string("switchyard: ") + call + " failed: " + mpi_error(code));
  }
}

std::string thread_level(int level) {
  switch (level) {
    case MPI_THREAD_SINGLE:
      return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED:
      return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED:
      return "MPI_THREAD_SERIALIZED";
    default:
      return "MPI_THREAD_MULTIPLE";
  }
}

// Whether this process initialized MPI (and so finalizes it), rather than the program.
bool initialized_here = false;

}  // namespace

MpiSession& MpiSession::join() {
  static MpiSession session;
  return session;
}

MpiSession::MpiSession() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  int provided = MPI_THREAD_SINGLE;
  if (initialized == 0) {
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
    initialized_here = true;
  } else {
    MPI_Query_thread(&provided);
  }
  if (provided < MPI_THREAD_SERIALIZED) {
    throw std::runtime_error("switchyard: MPI runs at " + thread_level(provided) +
                             "; its shards need MPI_THREAD_SERIALIZED (one thread at a time, "
                             "any thread, calls MPI)");
  }
  check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  char host[MPI_MAX_PROCESSOR_NAME] = {};
  int length = 0;
  MPI_Get_processor_name(host, &length);
  who_ = "pid " + std::to_string(::getpid()) + " on " +
         std::string(host, static_cast<std::size_t>(length));
  if (rank_ == 0) std::atexit(leave);
}

void MpiSession::leave() noexcept {
  MpiSession& session = join();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized != 0) return;
  for (int rank = 1; rank < session.size_; ++rank) {
    MPI_Send(nullptr, 0, MPI_BYTE, rank, kMpiFinalize, session.comm_);
  }
  MPI_Comm_free(&session.comm_);
  if (initialized_here) MPI_Finalize();
}

void MpiSession::receive(const MPI_Status& status, MPI_Comm comm, std::string& buffer) {
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  buffer.resize(static_cast<std::size_t>(count));
  check(MPI_Recv(buffer.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm,
                 MPI_STATUS_IGNORE),
        "MPI_Recv");
}

}  // namespace switchyard::detail
