#include "process_usage.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace switchyard::bench {

namespace {

double seconds(const timeval& t) noexcept {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

// vm_hwm_kb() is the VmHWM line of /proc/self/status, in KiB; 0 if unreadable.
std::int64_t vm_hwm_kb() noexcept {
  std::FILE* status = std::fopen("/proc/self/status", "r");
  if (status == nullptr) return 0;
  std::array<char, 256> line{};
  long kb = 0;
  while (std::fgets(line.data(), static_cast<int>(line.size()), status) != nullptr) {
    if (std::sscanf(line.data(), "VmHWM: %ld kB", &kb) == 1) break;
  }
  std::fclose(status);
  return kb;
}

}  // namespace

ProcessUsage process_usage() noexcept {
  rusage ru{};
  if (::getrusage(RUSAGE_SELF, &ru) != 0) return {};
  // ru_maxrss is in KiB.
  return {seconds(ru.ru_utime) + seconds(ru.ru_stime), ru.ru_maxrss, vm_hwm_kb()};
}

std::int64_t resident_kb() noexcept {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  long size_pages = 0;
  long resident_pages = 0;
  const int read = std::fscanf(statm, "%ld %ld", &size_pages, &resident_pages);
  std::fclose(statm);
  if (read != 2) return 0;
  return static_cast<std::int64_t>(resident_pages) * ::sysconf(_SC_PAGESIZE) / 1024;
}

}  // namespace switchyard::bench
