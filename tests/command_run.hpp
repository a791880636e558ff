// CommandRun: a command-line tool run by a test, shared by the test binaries of every layer.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace switchyard::test {

// CommandRun is what a command printed (stdout and stderr together) and its exit status (-1
// if it did not exit normally, or could not be started).
struct CommandRun {
  std::string output;
  int exit_code = -1;
};

// run_command() runs `command` through the shell, its stderr joined to its stdout, and waits
// for it to exit.
inline CommandRun run_command(const std::string& command) {
  CommandRun run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  std::size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, got);
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

}  // namespace switchyard::test
