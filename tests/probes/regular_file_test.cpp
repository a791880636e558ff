// detail::read_regular_file(), which the config loader, switchyard-report and the calibration
// cache read their files with; each turns its problems into its own messages, tested there.
#include <switchyard/detail/regular_file.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <filesystem>
#include <string>
#include <utility>

#include "../temp_dir.hpp"

namespace fs = std::filesystem;
using switchyard::detail::FileProblem;
using switchyard::detail::FileText;
using switchyard::detail::read_regular_file;
using switchyard::test::TempDir;

TEST_CASE("read_regular_file() reads a file at its bound, and refuses one past it",
          "[regular-file]") {
  const TempDir dir("switchyard-regular-file");
  const std::string at(100, 'a');
  const FileText read = read_regular_file(dir.write("at", at), 100);
  CHECK_FALSE(read.problem);
  CHECK(read.text == at);
  CHECK(read_regular_file(dir.write("empty", ""), 0).text.empty());

  const FileText past = read_regular_file(dir.write("past", at + "a"), 100);
  REQUIRE(past.problem);
  CHECK(past.problem->kind == FileProblem::Kind::too_large);
  CHECK(past.problem->max_bytes == 100);
  CHECK(past.problem->what() == "is larger than 100 bytes");
  CHECK(past.text.empty());
}

TEST_CASE("read_regular_file() stops at its bound in a file whose size says less",
          "[regular-file]") {
  // /proc's files say their size is 0; this one holds a few hundred bytes.
  const FileText read = read_regular_file("/proc/self/status", 16);
  REQUIRE(read.problem);
  CHECK(read.problem->kind == FileProblem::Kind::too_large);
  CHECK(read_regular_file("/proc/self/status", 1 << 20).text.find("Pid:") != std::string::npos);
}

TEST_CASE("read_regular_file() keeps the error of a file it cannot read", "[regular-file]") {
  const TempDir dir("switchyard-regular-file");
  const FileText missing = read_regular_file(dir.path() / "missing", 100);
  REQUIRE(missing.problem);
  CHECK(missing.problem->kind == FileProblem::Kind::unreadable);
  CHECK(missing.problem->error == ENOENT);
  CHECK(missing.problem->what() == "cannot read: No such file or directory");

  if (::geteuid() == 0) return;  // root reads a file whatever its mode
  const fs::path locked = dir.write("locked", "secret");
  fs::permissions(locked, fs::perms::none);
  const FileText denied = read_regular_file(locked, 100);
  REQUIRE(denied.problem);
  CHECK(denied.problem->error == EACCES);
  CHECK(denied.problem->what() == "cannot read: Permission denied");
}

TEST_CASE("read_regular_file() names what a path that is not a regular file is", "[regular-file]") {
  const TempDir dir("switchyard-regular-file");
  const fs::path fifo = dir.path() / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // The FIFO has no writer: a read that waited for one would never end.
  for (const auto& [path, type] :
       {std::pair(dir.path(), "a directory"),
        std::pair(fs::path("/dev/zero"), "a character device"), std::pair(fifo, "a FIFO")}) {
    INFO(path);
    const FileText read = read_regular_file(path, 100);
    REQUIRE(read.problem);
    CHECK(read.problem->kind == FileProblem::Kind::not_regular);
    CHECK(read.problem->file_type == type);
    CHECK(read.problem->what() == "is " + std::string(type) + ", not a regular file");
  }
}
