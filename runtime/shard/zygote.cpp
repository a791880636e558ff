#include "shard/zygote.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <system_error>

#include "shard/shard_server.hpp"

namespace switchyard::detail {

namespace {

// The control socket carries fixed-size messages (SOCK_SEQPACKET keeps their boundaries).
struct Request {
  enum class Op : std::uint32_t { spawn = 1, kill = 2 };
  Op op = Op::spawn;
  std::uint32_t shard = 0;
  std::uint32_t core = 0;
  pid_t pid = 0;
};

struct Message {
  ZygoteReport::Kind kind = ZygoteReport::Kind::started;
  std::uint32_t shard = 0;
  pid_t pid = 0;
  int status = 0;
};

void report(int control, const Message& m, int fd = -1) noexcept {
  iovec iov{const_cast<Message*>(&m), sizeof m};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control_buffer[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control_buffer;
    msg.msg_controllen = sizeof control_buffer;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  while (::sendmsg(control, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

// reset_signals() puts every caught signal back to its default, as execve() does: the
// program's handlers make no sense in a process that only runs tasks. Ignored signals stay
// ignored.
void reset_signals() noexcept {
  for (int s = 1; s < NSIG; ++s) {
    struct sigaction old {};
    if (s == SIGKILL || s == SIGSTOP || ::sigaction(s, nullptr, &old) != 0) continue;
    if (old.sa_handler != SIG_IGN && old.sa_handler != SIG_DFL) std::signal(s, SIG_DFL);
  }
}

// close_inherited() closes every descriptor but the standard streams and `keep`.
void close_inherited(int keep) noexcept {
  const auto k = static_cast<unsigned>(keep);
  const bool closed =
      (k <= 3 || ::close_range(3, k - 1, 0) == 0) && ::close_range(k + 1, ~0U, 0) == 0;
  if (closed) return;
  const long limit = ::sysconf(_SC_OPEN_MAX);  // close_range() needs Linux 5.9
  for (int fd = 3; fd < (limit > 0 ? limit : 65536); ++fd) {
    if (fd != keep) ::close(fd);
  }
}

[[noreturn]] void run_shard(int fd, std::uint32_t shard, std::uint32_t core, pid_t zygote,
                            const TaskTable& tasks, const Topology& topology) noexcept {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Die with the zygote, which dies with the program: a shard never outlives its runtime.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != zygote) _exit(kShardBrokenLink);
  const std::string name = "sy-shard-" + std::to_string(shard);
  prctl(PR_SET_NAME, name.c_str());
  topology.bind_current_thread(core);  // best effort: an unpinned shard still serves
  _exit(serve_shard(fd, tasks));
}

void spawn_shard(int control, int signals, const Request& r, const TaskTable& tasks,
                 const Topology& topology, std::set<pid_t>& children) noexcept {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    report(control, {ZygoteReport::Kind::failed, r.shard, 0, errno});
    return;
  }
  const pid_t zygote = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    ::close(control);
    ::close(signals);
    ::close(pair[0]);
    run_shard(pair[1], r.shard, r.core, zygote, tasks, topology);
  }
  ::close(pair[1]);
  if (pid < 0) {
    report(control, {ZygoteReport::Kind::failed, r.shard, 0, errno});
  } else {
    children.insert(pid);
    report(control, {ZygoteReport::Kind::started, r.shard, pid, 0}, pair[0]);
  }
  ::close(pair[0]);
}

[[noreturn]] void end_zygote(std::set<pid_t>& children) noexcept {
  for (pid_t pid : children) ::kill(pid, SIGKILL);
  for (pid_t pid : children) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  _exit(0);
}

[[noreturn]] void zygote_main(int control, const TaskTable& tasks,
                              const Topology& topology) noexcept {
  close_inherited(control);
  reset_signals();
  // A process group of its own: a terminal's Ctrl-C or a kill of the program's group reaches
  // the program, which ends its shards in order, not the shards behind its back.
  ::setpgid(0, 0);
  prctl(PR_SET_NAME, "sy-zygote");
  const pid_t program = getppid();
  sigset_t child;
  sigemptyset(&child);
  sigaddset(&child, SIGCHLD);
  sigprocmask(SIG_SETMASK, &child, nullptr);
  const int signals = ::signalfd(-1, &child, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signals < 0) _exit(1);
  std::set<pid_t> children;
  for (;;) {
    pollfd fds[2] = {{control, POLLIN, 0}, {signals, POLLIN, 0}};
    // The control socket's end tells that the program died, unless a child it forked still
    // holds the socket: then its parent changing tells it, within a second.
    const int ready = ::poll(fds, 2, 1000);
    if (getppid() != program) end_zygote(children);
    if (ready == 0) continue;
    if (ready < 0) {
      if (errno == EINTR) continue;
      end_zygote(children);
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      while (::read(signals, &info, sizeof info) > 0) {
      }
      int status = 0;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        children.erase(pid);
        report(control, {ZygoteReport::Kind::exited, 0, pid, status});
      }
    }
    if (fds[0].revents != 0) {
      Request r;
      const ssize_t n = ::recv(control, &r, sizeof r, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n != static_cast<ssize_t>(sizeof r)) end_zygote(children);  // the runtime is gone
      if (r.op == Request::Op::spawn) {
        spawn_shard(control, signals, r, tasks, topology, children);
      } else if (r.op == Request::Op::kill && children.count(r.pid) != 0) {
        ::kill(r.pid, SIGKILL);
      }
    }
  }
}

bool send_request(int control, const Request& r) noexcept {
  for (;;) {
    const ssize_t n = ::send(control, &r, sizeof r, MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(sizeof r)) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

}  // namespace

Zygote::Zygote(const TaskTable& tasks, const Topology& topology) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    throw std::system_error(errno, std::generic_category(),
                            "switchyard: cannot make the shard zygote's control socket");
  }
  std::fflush(nullptr);  // or the zygote's copy of unwritten output could be written twice
  const pid_t pid = fork();
  if (pid == 0) {
    ::close(pair[0]);
    zygote_main(pair[1], tasks, topology);
  }
  const int error = errno;
  ::close(pair[1]);
  if (pid < 0) {
    ::close(pair[0]);
    throw std::system_error(error, std::generic_category(),
                            "switchyard: cannot fork the shard zygote");
  }
  control_ = pair[0];
  pid_ = pid;
}

Zygote::~Zygote() {
  stop();
}

bool Zygote::spawn(std::uint32_t shard, std::uint32_t core) noexcept {
  return control_ >= 0 && send_request(control_, {Request::Op::spawn, shard, core, 0});
}

bool Zygote::kill(pid_t pid) noexcept {
  return control_ >= 0 && send_request(control_, {Request::Op::kill, 0, 0, pid});
}

std::optional<ZygoteReport> Zygote::receive() {
  Message m;
  iovec iov{&m, sizeof m};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control_buffer[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control_buffer;
  msg.msg_controllen = sizeof control_buffer;
  ssize_t n;
  while ((n = ::recvmsg(control_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
  if (n != static_cast<ssize_t>(sizeof m)) {
    throw std::system_error(n < 0 ? errno : ECONNRESET, std::generic_category(),
                            "switchyard: the shard zygote is gone");
  }
  ZygoteReport r{m.kind, m.shard, m.pid, m.status, -1};
  if (cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c != nullptr && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
    std::memcpy(&r.fd, CMSG_DATA(c), sizeof r.fd);
  }
  return r;
}

void Zygote::stop() noexcept {
  if (control_ >= 0) {
    ::close(control_);
    control_ = -1;
  }
  if (pid_ > 0 && !status_) {
    int status = 0;
    pid_t got;
    while ((got = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    if (got == pid_) status_ = status;
  }
}

}  // namespace switchyard::detail
