// detail::read_regular_file(): a file that comes from outside (a config, a report, a cache),
// read whole but never more than a bound, by the three readers of such files in every layer.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace switchyard::detail {

// FileProblem is why read_regular_file() returned no text, in parts, so that each caller can
// say it in its own words; what() says it in common ones.
struct FileProblem {
  enum class Kind {
    unreadable,   // open(), fstat() or read() failed: `error` says why
    not_regular,  // a directory, a FIFO, a device...: `file_type` says which
    too_large,    // more than `max_bytes`, by its size or by what was read
  };
  Kind kind = Kind::unreadable;
  int error = 0;               // the errno of the call that failed (unreadable)
  std::string_view file_type;  // "a directory", "a FIFO", ... (not_regular)
  std::size_t max_bytes = 0;   // the bound the file passed (too_large)

  // what() is the problem as it follows a file's name: "cannot read: Permission denied",
  // "is a FIFO, not a regular file", "is larger than 1048576 bytes". Never blocks.
  std::string what() const;
};

// FileText is a file's contents, or the problem that kept them from being read.
struct FileText {
  std::string text;  // empty when there is a problem
  std::optional<FileProblem> problem;
};

// read_regular_file() reads the regular file at `path` whole, if it holds at most `max_bytes`.
// It never blocks on a FIFO (it opens without waiting for a writer, then refuses it), never
// reads a device, and stops one read past `max_bytes` when a file holds more than its size
// said (it grew, or is one of /proc's, whose sizes say 0). Blocks for the file's I/O; any
// thread. Throws only std::bad_alloc.
FileText read_regular_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace switchyard::detail
