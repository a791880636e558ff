// Finding and reading the config file: the only part of Config that touches the OS.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

#include <switchyard/config.hpp>

#include "config_scan.hpp"

namespace switchyard {
namespace {

namespace fs = std::filesystem;

ConfigError unreadable(const fs::path& path, int error, std::string_view named_by) {
  return ConfigError(
      {{path.string(),
        0,
        0,
        {},
        {},
        "cannot read: " + std::generic_category().message(error) + std::string(named_by)}});
}

// file_type() names what a path that is not a regular file is.
std::string_view file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

// FileDescriptor closes on every exit, including a bad_alloc while the text grows.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// read_text() uses read(2) rather than iostreams because only the former keeps errno, and
// "Permission denied" is the message a user needs. It reads only a regular file, and no more
// than kMaxConfigBytes of it: a FIFO would block, a device may never end, and a file's size
// may grow while it is read, or say nothing of its contents (/proc's files say 0).
std::string read_text(const fs::path& path, std::string_view named_by) {
  // O_NONBLOCK lets open() return at once on a FIFO that no one writes to.
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) throw unreadable(path, errno, named_by);
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) throw unreadable(path, errno, named_by);
  if (!S_ISREG(status.st_mode)) {
    const std::string reason = "is " + std::string(file_type(status.st_mode)) +
                               ", not a regular file" + std::string(named_by);
    throw ConfigError({{path.string(), 0, 0, {}, {}, reason}});
  }
  if (static_cast<std::uintmax_t>(status.st_size) > kMaxConfigBytes) {
    throw ConfigError({too_large(path.string(), named_by)});
  }
  std::string text;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(file.get(), buffer, sizeof buffer);
    if (n > 0) {
      text.append(buffer, static_cast<std::size_t>(n));
      if (text.size() > kMaxConfigBytes) throw ConfigError({too_large(path.string(), named_by)});
    } else if (n == 0) {
      return text;
    } else if (errno != EINTR) {
      throw unreadable(path, errno, named_by);
    }
  }
}

std::optional<std::string> variable(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

ConfigEnv ConfigEnv::current() {
  return {variable("SWITCHYARD_CONFIG"),
          variable("SWITCHYARD_REPORT"),
          variable("SWITCHYARD_TRACE"),
          {}};
}

Config Config::from_file(const fs::path& path) {
  return from_string(read_text(path, {}), path.string());
}

Config Config::discover() {
  return discover(ConfigEnv::current());
}

Config Config::discover(const ConfigEnv& env) {
  Config config;
  if (env.config.has_value() && !env.config->empty()) {
    const fs::path path = env.working_dir / *env.config;
    config = from_string(read_text(path, " (named by SWITCHYARD_CONFIG)"), path.string());
  } else {
    const fs::path path = env.working_dir / "switchyard.toml";
    std::error_code error;
    // exists() reports a missing file as false without an error; any other failure (a
    // directory we may not search) must not silently fall back to the defaults.
    if (fs::exists(path, error)) {
      config = from_file(path);
    } else if (error) {
      throw unreadable(path, error.value(), {});
    }
  }
  if (env.report.has_value()) config.profiling.report = *env.report;
  if (env.trace.has_value()) config.profiling.trace = *env.trace;
  return config;
}

}  // namespace switchyard
