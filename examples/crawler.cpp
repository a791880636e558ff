// crawler: a pipeline whose three stages belong on three different executors.
//
// Usage: crawler HOST:PORT OUT_DIR [PAGES]
//   HOST:PORT: a delay server; start one with
//   build/bench/switchyard-bench/switchyard-bench delay-server --addr 127.0.0.1:0 &
//   (it prints its address).
//
// What it shows: each of PAGES pages (default 300) goes through three kinds of task, spawned
// with no placement:
//   fetch - downloads the page (16 KiB, sent after 20 ms) through switchyard::net, whose
//           calls suspend the task while it waits: slow I/O;
//   parse - digests the page: CPU work (a stand-in for a real parser);
//   save  - writes the parsed page to OUT_DIR/page-N.txt and fsyncs it: blocking file I/O,
//           which holds its thread in the kernel while the disk writes.
// The main thread is the conveyor: it spawns every fetch, then a parse for each page as its
// fetch finishes, then a save for each parsed page.
//
// What to look for: the closing table puts fetch on fiber, parse on cpu and save on blocking,
// each with the shares of its tasks' active time that decided it and the rule of its move.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include <switchyard/switchyard.hpp>

namespace sy = switchyard;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPageBytes = 16 * 1024;

// fetch() asks the delay server for a page; the task waits on a fiber, its thread does not.
std::string fetch(const std::string& server) {
  sy::net::Socket socket = sy::net::connect(server, std::chrono::seconds(5));
  socket.write_all(fmt::format("D 20000 {}\n", kPageBytes), std::chrono::seconds(5));
  std::string page(kPageBytes, '\0');
  socket.read_exact(page.data(), page.size(), std::chrono::seconds(5));
  return page;
}

// parse() digests the page a few hundred times over (FNV-1a), a few milliseconds of CPU, and
// returns the page under a line that names it.
std::string parse(int n, const std::string& page) {
  std::uint64_t digest = 0xcbf29ce484222325;
  for (int round = 0; round < 300; ++round) {
    for (const char c : page) digest = (digest ^ static_cast<unsigned char>(c)) * 0x100000001b3;
  }
  return fmt::format("page {}: {} bytes, digest {:016x}\n{}", n, page.size(), digest, page);
}

// save() writes `text` to `path` and waits until it is on disk.
void save(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok) throw std::system_error(error, std::generic_category(), "write " + path.string());
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 3 || argc > 4) {
    std::cerr << "usage: crawler HOST:PORT OUT_DIR [PAGES]\n";
    return 2;
  }
  const std::string server = argv[1];
  const fs::path out_dir = argv[2];
  const int pages = argc > 3 ? std::stoi(argv[3]) : 300;
  fs::create_directories(out_dir);

  sy::Runtime rt;
  const auto start = std::chrono::steady_clock::now();
  std::vector<sy::Future<std::string>> fetched;
  for (int n = 0; n < pages; ++n) {
    fetched.push_back(rt.spawn("fetch", [&server] { return fetch(server); }));
  }
  std::vector<sy::Future<std::string>> parsed;
  for (int n = 0; n < pages; ++n) {
    parsed.push_back(rt.spawn("parse", [n, page = fetched[n].get()] { return parse(n, page); }));
  }
  std::vector<sy::Future<void>> saved;
  for (int n = 0; n < pages; ++n) {
    saved.push_back(rt.spawn("save", [path = out_dir / fmt::format("page-{}.txt", n),
                                      text = parsed[n].get()] { save(path, text); }));
  }
  for (auto& s : saved) s.get();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;

  std::cout << fmt::format("crawled {} pages from {} into {} in {:.2f} s\n\n", pages, server,
                           out_dir.string(), took.count());
  std::cout << "kind     placement   cpu  block  wait   (shares of its tasks' active time)\n";
  for (const auto& kind : rt.report().kinds) {
    std::cout << fmt::format("{:<8} {:<9} {:>5.0f}% {:>5.0f}% {:>4.0f}%\n", kind.name,
                             to_string(kind.placement), 100 * kind.active_cpu_share,
                             100 * kind.active_blocked_share, 100 * kind.active_wait_share);
    for (const auto& move : kind.history) std::cout << "    " << to_string(move) << '\n';
  }
} catch (const std::exception& e) {
  std::cerr << "crawler: " << e.what() << '\n';
  return 1;
}
