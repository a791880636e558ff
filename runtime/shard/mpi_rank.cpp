// serve_mpi_rank(): the loop of every rank but 0.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "shard/frame.hpp"
#include "shard/mpi_job.hpp"
#include "shard/mpi_session.hpp"
#include "shard/shard_server.hpp"

namespace switchyard::detail {

namespace {

// answer_message() answers the call frame in `message` onto `out`, or says goodbye when it
// is not one: rank 0 then takes this rank's link down and says hello again.
void answer_message(const TaskTable& tasks, const std::string& message, std::string& out) {
  try {
    FrameReader reader;
    reader.feed(message.data(), message.size());
    while (auto call = next_call(reader)) answer_call(tasks, *call, out);
    reader.finish();
  } catch (const FrameError& e) {
    out.clear();
    append_frame(out, FrameType::goodbye, 0, {}, e.what());
  }
}

void send_to_rank_0(const std::string& bytes, int tag, MPI_Comm comm) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, tag, comm);
}

}  // namespace

void serve_mpi_rank(const MpiPlace& place, const TaskTable& tasks) {
  MpiSession& session = MpiSession::join(place);
  const MPI_Comm comm = session.comm();
  IdleBackoff backoff;
  std::string in;
  std::string out;
  for (;;) {
    MPI_Status status;
    const MpiSession::Receipt receipt = session.try_receive(0, in, status);
    if (receipt == MpiSession::Receipt::none) {
      std::this_thread::sleep_for(backoff.pause());
      continue;
    }
    backoff.busy();
    if (receipt == MpiSession::Receipt::dropped && status.MPI_TAG == kMpiCall) {
      out.clear();
      append_frame(out, FrameType::goodbye, 0, {}, MpiSession::oversize(status));
      send_to_rank_0(out, kMpiAnswer, comm);
      continue;
    }
    switch (status.MPI_TAG) {
      case kMpiHello:  // answered with the greeting's number, and who answers
        send_to_rank_0(in + session.who(), kMpiHere, comm);
        break;
      case kMpiCall:
        out.clear();
        answer_message(tasks, in, out);
        send_to_rank_0(out, kMpiAnswer, comm);
        break;
      case kMpiFinalize: {
        send_to_rank_0(std::string(), kMpiFinalize, comm);
        MPI_Finalize();
        std::fflush(nullptr);
        ::_exit(0);
      }
      default:
        break;  // no other tag is sent on this communicator
    }
  }
}

}  // namespace switchyard::detail
