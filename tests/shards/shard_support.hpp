// Helpers shared by the shard tests.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include <switchyard/config.hpp>

#include "../runtime/support.hpp"

namespace switchyard::test {

// shard_config() runs `shards` shards with room for `inflight` calls each, and no
// background calibration (its probing tasks would only add noise here).
inline Config shard_config(std::uint32_t shards, std::uint32_t inflight) {
  Config c = small_config();
  c.executors.shards = shards;
  c.executors.shard_inflight = inflight;
  c.profiling.calibrate = false;
  return c;
}

// PeakResident measures how far this process's resident memory rises while it lives, what
// is freed again included: it resets the kernel's high-water mark (writing 5 to
// /proc/self/clear_refs) and reads it back (VmHWM in /proc/self/status).
class PeakResident {
 public:
  PeakResident() : before_(resident_bytes()) {
    std::ofstream("/proc/self/clear_refs") << "5";
    REQUIRE(high_water() < before_ + (std::size_t{16} << 20));  // the reset took
  }
  // growth() is the highest resident size since construction, less the size then.
  std::size_t growth() const {
    const std::size_t peak = high_water();
    return peak > before_ ? peak - before_ : 0;
  }

 private:
  static std::size_t high_water() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
    }
    FAIL("no VmHWM in /proc/self/status");
    return 0;
  }
  std::size_t before_;
};

// socket_count() counts this process's open sockets.
inline std::size_t socket_count() {
  std::size_t n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      char target[256] = {};
      const std::string link = std::string("/proc/self/fd/") + e->d_name;
      if (::readlink(link.c_str(), target, sizeof target - 1) > 0 &&
          std::string(target).rfind("socket:", 0) == 0) {
        ++n;
      }
    }
    closedir(d);
  }
  return n;
}

// stat_of() reads the parent pid of process `pid` and its state letter ('Z': a zombie), from
// /proc/<pid>/stat; false if the process is gone.
inline bool stat_of(int pid, int& parent, char& state) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return false;
  // The command name may hold spaces: read up to its closing parenthesis.
  char buffer[512] = {};
  const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, f);
  std::fclose(f);
  const std::string text(buffer, n);
  const auto close = text.rfind(')');
  if (close == std::string::npos) return false;
  return std::sscanf(text.c_str() + close + 1, " %c %d", &state, &parent) == 2;
}

// sanitizer_helper() says whether process `pid` is ThreadSanitizer's symbolizer, which the
// sanitizer starts as a child of the process it checks the first time it must name a frame.
inline bool sanitizer_helper(int pid) {
  std::string name;
  if (FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/comm").c_str(), "r")) {
    char buffer[32] = {};
    if (std::fgets(buffer, sizeof buffer, f) != nullptr) name = buffer;
    std::fclose(f);
  }
  return name == "llvm-symbolizer\n";
}

// Descendants counts the processes below this one, two generations deep (the zygote and
// its shards), and how many of them are zombies. A sanitizer's helper is not counted.
struct Descendants {
  int alive = 0;
  int zombies = 0;
};
inline Descendants descendants() {
  Descendants d;
  const int self = ::getpid();
  std::vector<int> children;
  std::vector<std::pair<int, std::pair<int, char>>> all;
  if (DIR* dir = opendir("/proc")) {
    while (dirent* e = readdir(dir)) {
      const int pid = std::atoi(e->d_name);
      int parent = 0;
      char state = '?';
      if (pid > 0 && stat_of(pid, parent, state)) all.push_back({pid, {parent, state}});
    }
    closedir(dir);
  }
  for (const auto& [pid, ps] : all) {
    if (ps.first == self) children.push_back(pid);
  }
  for (const auto& [pid, ps] : all) {
    const bool child = ps.first == self;
    const bool grandchild = std::find(children.begin(), children.end(), ps.first) != children.end();
    if ((!child && !grandchild) || sanitizer_helper(pid)) continue;
    ++(ps.second == 'Z' ? d.zombies : d.alive);
  }
  return d;
}

}  // namespace switchyard::test
