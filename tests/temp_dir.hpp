// TempDir: a scratch directory for one test, shared by the test binaries of every layer.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <catch2/catch.hpp>

namespace switchyard::test {

// TempDir is a fresh directory under the system's temporary directory, removed with
// everything in it when the TempDir goes, so no test touches real files.
class TempDir {
 public:
  // `prefix` starts the directory's name, to tell whose it is if one is left behind.
  explicit TempDir(std::string_view prefix = "switchyard-test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const { return path_; }

  // write() replaces the file `name` with `text` and returns its path. A relative `name` is
  // taken inside the directory, an absolute one as it is.
  std::filesystem::path write(const std::filesystem::path& name, std::string_view text) const {
    const std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::trunc) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace switchyard::test
