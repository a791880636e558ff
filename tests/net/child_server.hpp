// ChildServer: a server program run in a child process for the length of a test.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

extern char** environ;

namespace switchyard::test {

// echo_server_path() is tests/net/echo_server's executable, which meson names in the
// SWITCHYARD_ECHO_SERVER environment variable.
inline std::string echo_server_path() {
  const char* path = std::getenv("SWITCHYARD_ECHO_SERVER");
  if (path == nullptr || *path == '\0') {
    throw std::runtime_error("SWITCHYARD_ECHO_SERVER is not set (run the tests through meson)");
  }
  return path;
}

// ChildServer starts `argv` (the program first), reads the address it prints on its first
// line, and stops it by closing its standard input. The destructor stops it if stop() was not
// called.
class ChildServer {
 public:
  explicit ChildServer(const std::string& program) : ChildServer(std::vector<std::string>{program}) {}
  explicit ChildServer(const std::vector<std::string>& argv) {
    const std::string& program = argv.front();
    int to_child[2];
    int from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0) {
      throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    if (::pipe2(from_child, O_CLOEXEC) != 0) {
      const int err = errno;
      ::close(to_child[0]);
      ::close(to_child[1]);
      throw std::system_error(err, std::generic_category(), "pipe2");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int err = posix_spawnp(&pid_, program.c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    stdin_ = to_child[1];
    if (err != 0) {
      ::close(from_child[0]);
      ::close(stdin_);
      throw std::system_error(err, std::generic_category(), "posix_spawn " + program);
    }
    char c = 0;
    while (::read(from_child[0], &c, 1) == 1 && c != '\n') address_ += c;
    ::close(from_child[0]);
    if (address_.empty()) {
      stop();
      throw std::runtime_error(program + " printed no address");
    }
  }
  ~ChildServer() { stop(); }
  ChildServer(const ChildServer&) = delete;
  ChildServer& operator=(const ChildServer&) = delete;

  const std::string& address() const noexcept { return address_; }

  // stop() closes the child's standard input and waits for it; returns its exit status (or
  // 128 + the signal that ended it).
  int stop() {
    if (stdin_ >= 0) {
      ::close(stdin_);
      stdin_ = -1;
    }
    if (pid_ > 0) {
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      pid_ = 0;
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return status_;
  }

 private:
  pid_t pid_ = 0;
  int stdin_ = -1;
  int status_ = -1;
  std::string address_;
};

}  // namespace switchyard::test
