#include "shard/mpi_session.hpp"

#include <unistd.h>

#include <algorithm>
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

}  // namespace

MpiSession& MpiSession::instance() {
  static MpiSession session;
  return session;
}

MpiSession& MpiSession::join(const MpiPlace& place) {
  MpiSession& session = instance();
  // Registered once the session is whole, so that it runs before the session's destructor.
  static const bool leaves_at_exit = session.rank_ == 0 && std::atexit(leave) == 0;
  (void)leaves_at_exit;
  if (session.rank_ != place.rank || session.size_ != place.size) {
    throw std::runtime_error("switchyard: the MPI launcher's environment says rank " +
                             std::to_string(place.rank) + " of " + std::to_string(place.size) +
                             ", but MPI says rank " + std::to_string(session.rank_) + " of " +
                             std::to_string(session.size_) +
                             ": was the program started by another MPI's launcher?");
  }
  return session;
}

MpiSession::MpiSession() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) {
    throw std::runtime_error(
        "switchyard: the program initialized MPI itself; shards on MPI ranks need the runtime "
        "to own MPI (docs/mpi.md)");
  }
  int provided = MPI_THREAD_SINGLE;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_SERIALIZED) {
    const char* level = provided == MPI_THREAD_SINGLE ? "MPI_THREAD_SINGLE" : "MPI_THREAD_FUNNELED";
    throw std::runtime_error(std::string("switchyard: MPI runs at ") + level +
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
}

void MpiSession::leave() noexcept {
  const MpiSession& session = instance();  // made already: leave() is registered after
  const MPI_Comm comm = session.comm_;
  const int size = session.size_;
  for (int rank = 1; rank < size; ++rank) {
    MPI_Send(nullptr, 0, MPI_BYTE, rank, kMpiFinalize, comm);
  }
  // A rank may still be sending answers (one too large to go before it is received would
  // block it): take in and drop everything until each rank says it is leaving.
  std::string dropped;
  int leaving = 0;
  while (leaving < size - 1) {
    MPI_Status status;
    MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm, &status);
    session.take(status, dropped);
    if (status.MPI_TAG == kMpiFinalize) ++leaving;
  }
  MPI_Finalize();
}

MpiSession::Receipt MpiSession::try_receive(int source, std::string& buffer,
                                            MPI_Status& status) noexcept {
  int arrived = 0;
  MPI_Iprobe(source, MPI_ANY_TAG, comm_, &arrived, &status);
  if (arrived == 0) return Receipt::none;
  return take(status, buffer) ? Receipt::message : Receipt::dropped;
}

std::size_t MpiSession::size_of(const MPI_Status& status) noexcept {
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  return static_cast<std::size_t>(std::max(count, 0));
}

std::string MpiSession::oversize(const MPI_Status& status) {
  return "a message of " + std::to_string(size_of(status)) + " bytes, over the " +
         std::to_string(kMaxMessage) + "-byte limit of one frame";
}

// A failed receive never returns: MPI's default error handler (MPI_ERRORS_ARE_FATAL) ends
// the job. An oversize message is received into an empty buffer, which MPI completes with
// MPI_ERR_TRUNCATE, the message gone from the wire: for that one receive, errors return.
bool MpiSession::take(const MPI_Status& status, std::string& buffer) const noexcept {
  const std::size_t size = size_of(status);
  if (size > kMaxMessage) {
    buffer.clear();
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    MPI_Recv(nullptr, 0, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm_, MPI_STATUS_IGNORE);
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_ARE_FATAL);
    return false;
  }
  buffer.resize(size);
  MPI_Recv(buffer.data(), static_cast<int>(size), MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG,
           comm_, MPI_STATUS_IGNORE);
  return true;
}

}  // namespace switchyard::detail
