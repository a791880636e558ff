// Finding and reading the config file: the only part of Config that touches the OS.
#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include <switchyard/config.hpp>
#include <switchyard/detail/regular_file.hpp>

#include "config_scan.hpp"

namespace switchyard {
namespace {

namespace fs = std::filesystem;

// file_error() is a config file's problem as a ConfigError: the file's name, the problem, and
// what named the file. A file too large says so as from_string() does, in MiB too.
ConfigError file_error(const fs::path& path, const detail::FileProblem& problem,
                       std::string_view named_by) {
  if (problem.kind == detail::FileProblem::Kind::too_large) {
    return ConfigError({too_large(path.string(), named_by)});
  }
  return ConfigError({{path.string(), 0, 0, {}, {}, problem.what() + std::string(named_by)}});
}

// read_text() reads only a regular file, and no more than kMaxConfigBytes of it: a FIFO would
// block, a device may never end, a file may grow while it is read (read_regular_file()).
std::string read_text(const fs::path& path, std::string_view named_by) {
  detail::FileText read = detail::read_regular_file(path, kMaxConfigBytes);
  if (read.problem) throw file_error(path, *read.problem, named_by);
  return std::move(read.text);
}

// missing() says that nothing is at the path: no such file, or a part of the path that is no
// directory, as std::filesystem::exists() has it.
bool missing(const detail::FileProblem& problem) {
  return problem.kind == detail::FileProblem::Kind::unreadable &&
         (problem.error == ENOENT || problem.error == ENOTDIR);
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
    // Opened at once, not looked for first: a file gone between the look and the open would
    // be an error. Only no file at all means the defaults; any other failure (a directory we
    // may not search) must not silently fall back to them.
    const detail::FileText read = detail::read_regular_file(path, kMaxConfigBytes);
    if (!read.problem) {
      config = from_string(read.text, path.string());
    } else if (!missing(*read.problem)) {
      throw file_error(path, *read.problem, {});
    }
  }
  if (env.report.has_value()) config.profiling.report = *env.report;
  if (env.trace.has_value()) config.profiling.trace = *env.trace;
  return config;
}

}  // namespace switchyard
