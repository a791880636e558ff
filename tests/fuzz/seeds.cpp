// fuzz-seeds writes the seed inputs of the frame and call targets into
// corpus/<target>/, from the encoders the runtime itself uses, so that the seeds follow the
// wire format when it changes, and a report at its defaults: `fuzz-seeds tests/fuzz/corpus`.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <switchyard/report.hpp>

#include "shard/frame.hpp"
#include "signatures.hpp"

namespace {

namespace fs = std::filesystem;
using namespace switchyard::detail;
using namespace switchyard::fuzz;

void write(const fs::path& dir, const std::string& name, char first, const std::string& rest) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary);
  out.put(first);
  out << rest;
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

// arguments() and result() are a sample call of the task numbered `index`, and its result.
std::string arguments(std::size_t index) {
  std::string out;
  switch (index) {
    case 0:
      encode_values(out, std::int64_t{40}, std::int32_t{2});
      break;
    case 1:
      encode_values(out, std::string("hello"));
      break;
    case 2:
      encode_values(out, std::vector<std::int32_t>{1, -2, 3});
      break;
    case 3:
      encode_values(out, Strings{"a", "", "bc"}, true);
      break;
    case 4:
      encode_values(out, Nested{{1, 2}, {}, {3}});
      break;
    case 5:
      encode_values(out, Mixed{"m", {1.5, -2.0}, 7, {{"k", 1}, {"l", -1}}});
      break;
    default:
      break;
  }
  return out;
}
std::string result(std::size_t index) {
  std::string out;
  switch (index) {
    case 0:
      encode_values(out, std::int64_t{42});
      break;
    case 3:
      encode_values(out, Strings{"bc", "", "a"});
      break;
    default:
      out = arguments(index);
      break;
  }
  return out;
}

void write_calls(const fs::path& corpus) {
  for (std::size_t i = 0; i < kTasks; ++i) {
    with_task(i, [&](const auto& task) {
      const std::string name(task.name());
      write(corpus / "call-arguments", name, static_cast<char>(i), arguments(i));
      write(corpus / "call-result", name, static_cast<char>(i), result(i));
    });
  }
}

void write_frames(const fs::path& corpus) {
  const fs::path dir = corpus / "frame";
  std::string call;
  append_frame(call, FrameType::call, 1, "fuzz_add", arguments(0));
  write(dir, "call", 0, call);
  std::string calls = call;
  append_frame(calls, FrameType::call, 2, "fuzz_mixed", arguments(5));
  write(dir, "calls-in-pieces", 7, calls);
  std::string answers;
  append_frame(answers, FrameType::result, 1, {}, result(0), 1200, 300, 2000);
  append_frame(answers, FrameType::failure, 2, "std::runtime_error", "it failed", 10, 0, 12);
  append_frame(answers, FrameType::rejected, 3, {}, "no task named 'x' is registered");
  write(dir, "answers", 0, answers);
  std::string goodbye;
  append_frame(goodbye, FrameType::goodbye, 0, {}, "unknown frame type 9");
  write(dir, "goodbye-byte-by-byte", 1, goodbye);
}

// A report with nothing in it: every field the schema has, at its default.
void write_report(const fs::path& corpus) {
  const fs::path dir = corpus / "report";
  fs::create_directories(dir);
  std::ofstream out(dir / "defaults.json", std::ios::binary);
  out << switchyard::Report{}.to_json();
  if (!out) throw std::runtime_error("cannot write " + (dir / "defaults.json").string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz-seeds CORPUS_DIR\n";
    return 2;
  }
  try {
    write_calls(argv[1]);
    write_frames(argv[1]);
    write_report(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "fuzz-seeds: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
