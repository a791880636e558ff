// Config input from a careless user or an attacker: every bound of the loader, at and past it.
// Hostile files are made here, in a temporary directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <future>
#include <stdexcept>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include <switchyard/config.hpp>

#include "../temp_dir.hpp"

namespace sy = switchyard;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;
using switchyard::test::TempDir;

namespace {

// The bounds as documented in examples/config/switchyard.toml.
constexpr std::size_t kFileBytes = 1 << 20;
constexpr std::size_t kKeyBytes = 256;
constexpr int kNesting = 32;
constexpr int kKinds = 10'000;

sy::ConfigError error_of(std::string_view text) {
  try {
    sy::Config::from_string(text, "switchyard.toml");
  } catch (const sy::ConfigError& e) {
    return e;
  }
  throw std::logic_error("no ConfigError for:\n" + std::string(text.substr(0, 200)));
}

sy::ConfigError file_error_of(const fs::path& path) {
  try {
    sy::Config::from_file(path);
  } catch (const sy::ConfigError& e) {
    return e;
  }
  throw std::logic_error("no ConfigError for " + path.string());
}

// dotted() is `segments` copies of `key` joined by dots.
std::string dotted(std::string_view key, int segments) {
  std::string text(key);
  for (int i = 1; i < segments; ++i) (text += '.') += key;
  return text;
}

// padded() is `text` followed by a comment that brings it to exactly `size` bytes.
std::string padded(std::string text, std::size_t size) {
  text += '#';
  text.resize(size - 1, 'x');
  return text + '\n';
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// RefusedAt is a text the config refuses at a line and column, for a reason check() is given.
struct RefusedAt {
  std::string text;
  std::uint32_t line;
  std::uint32_t column;

  void check(const std::string& reason) const {
    CAPTURE(text);
    const sy::ConfigError e = error_of(text);
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    CHECK(e.reason() == reason);
  }
};

}  // namespace

TEST_CASE("config bounds: every duration key has a maximum of a day", "[config-bounds]") {
  struct Case {
    std::string_view key;
    std::int64_t max;
    std::string_view unit;
  };
  const Case c = GENERATE(Case{"stall_threshold_us", 86'400'000'000, "us"},
                          Case{"blocking_idle_ms", 86'400'000, "ms"},
                          Case{"shutdown_grace_ms", 86'400'000, "ms"});
  const std::string prefix = "[executors]\n" + std::string(c.key) + " = ";

  const sy::Config at = sy::Config::from_string(prefix + std::to_string(c.max) + "\n", "at.toml");
  CHECK(at.executors.stall_threshold == (c.key == "stall_threshold_us" ? 24h : 2ms));
  CHECK(at.executors.blocking_idle == (c.key == "blocking_idle_ms" ? 24h : 2s));
  CHECK(at.executors.shutdown_grace == (c.key == "shutdown_grace_ms" ? 24h : 10s));

  const std::int64_t past = GENERATE_COPY(c.max + 1, INT64_MAX);
  const sy::ConfigError e = error_of(prefix + std::to_string(past) + "\n");
  CHECK(e.file() == "switchyard.toml");
  CHECK(e.line() == 2);
  CHECK(e.key() == "executors." + std::string(c.key));
  CHECK(e.value() == std::to_string(past));
  CHECK_THAT(e.what(),
             Equals("switchyard.toml:2:" + std::to_string(c.key.size() + 4) + ": executors." +
                    std::string(c.key) + " = " + std::to_string(past) + ": must be at most " +
                    std::to_string(c.max) + " (" + std::string(c.unit) + ")"));
}

TEST_CASE("config bounds: shards up to what the shard transport accepts", "[config-bounds]") {
  CHECK(sy::kMaxShards == 65'533);
  CHECK(sy::Config::from_string("[executors]\nshards = 65533\n", "at.toml").executors.shards ==
        65'533);
  const std::string past = std::to_string(GENERATE(65'534, 65'535, 65'536));
  const sy::ConfigError e = error_of("[executors]\nshards = " + past + "\n");
  CHECK(e.line() == 2);
  CHECK(e.key() == "executors.shards");
  CHECK(e.value() == past);
  CHECK_THAT(e.what(), Equals("switchyard.toml:2:10: executors.shards = " + past +
                              ": must be at most 65533"));
}

TEST_CASE("config bounds: the metrics endpoint is host:port, port up to 65535, 260 bytes",
          "[config-bounds]") {
  CHECK(sy::Config{}.profiling.metrics.empty());  // off by default
  auto metrics_of = [](const std::string& value) {
    return sy::Config::from_string("[profiling]\nmetrics = \"" + value + "\"\n", "at.toml")
        .profiling.metrics;
  };
  CHECK(metrics_of("127.0.0.1:65535") == "127.0.0.1:65535");
  CHECK(metrics_of("[::1]:0") == "[::1]:0");
  const std::string longest = std::string(260 - 6, 'h') + ":65535";
  CHECK(metrics_of(longest) == longest);

  const std::string past =
      GENERATE(std::string("127.0.0.1:65536"), std::string("127.0.0.1:99999"),
               std::string("127.0.0.1:123456"), std::string("localhost"), std::string("localhost:"),
               std::string(":9464"), std::string("host:-1"));
  const sy::ConfigError e = error_of("[profiling]\nmetrics = \"" + past + "\"\n");
  CHECK(e.line() == 2);
  CHECK(e.key() == "profiling.metrics");
  CHECK_THAT(e.what(), Contains("must be host:port, with a port from 0 to 65535"));

  const sy::ConfigError too_long =
      error_of("[profiling]\nmetrics = \"" + std::string(261 - 6, 'h') + ":65535\"\n");
  CHECK(too_long.key() == "profiling.metrics");
  CHECK_THAT(too_long.what(), Contains("261 bytes long, longer than the 260"));
}

TEST_CASE("config bounds: only a regular file is read", "[config-bounds]") {
  const TempDir dir;
  SECTION("a directory") {
    const sy::ConfigError e = file_error_of(dir.path());
    CHECK(e.file() == dir.path().string());
    CHECK(e.line() == 0);
    CHECK_THAT(e.what(), Equals(dir.path().string() + ": is a directory, not a regular file"));
  }
  SECTION("a character device whose reads never end") {
    CHECK_THAT(file_error_of("/dev/zero").what(),
               Equals("/dev/zero: is a character device, not a regular file"));
  }
  SECTION("a FIFO, which would block an open() for reading until a writer comes") {
    const fs::path fifo = dir.path() / "fifo.toml";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto load = std::async(std::launch::async, [&] { return file_error_of(fifo); });
    if (load.wait_for(10s) != std::future_status::ready) {
      // A writer lets the blocked open() return, so the test ends either way.
      const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (writer >= 0) ::close(writer);
      FAIL_CHECK("from_file() blocked on a FIFO");
    }
    try {
      CHECK_THAT(load.get().what(), Equals(fifo.string() + ": is a FIFO, not a regular file"));
    } catch (const std::logic_error& e) {
      FAIL_CHECK(e.what());
    }
  }
  SECTION("named by SWITCHYARD_CONFIG") {
    sy::ConfigEnv env;
    env.config = "/dev/zero";
    CHECK_THROWS_WITH(sy::Config::discover(env),
                      Equals("/dev/zero: is a character device, not a regular file (named by "
                             "SWITCHYARD_CONFIG)"));
  }
}

TEST_CASE("config bounds: a config is at most 1 MiB", "[config-bounds]") {
  const TempDir dir;
  const std::string at = padded("[executors]\nshards = 3\n", kFileBytes);
  REQUIRE(at.size() == kFileBytes);
  CHECK(sy::Config::from_file(dir.write("at.toml", at)).executors.shards == 3);
  CHECK(sy::Config::from_string(at, "at.toml").executors.shards == 3);

  const std::string past = padded("[executors]\nshards = 3\n", kFileBytes + 1);
  const fs::path file = dir.write("past.toml", past);
  const sy::ConfigError e = file_error_of(file);
  CHECK(e.file() == file.string());
  CHECK(e.line() == 0);
  CHECK_THAT(e.what(), Equals(file.string() + ": is larger than 1048576 bytes (1 MiB)"));
  CHECK_THAT(error_of(past).what(),
             Equals("switchyard.toml: is larger than 1048576 bytes (1 MiB)"));

  SECTION("a 50 MB key is refused without being looked at") {
    const auto start = std::chrono::steady_clock::now();
    const std::string huge = std::string(50'000'000, 'k') + " = 1\n";
    CHECK_THAT(error_of(huge).what(),
               Equals("switchyard.toml: is larger than 1048576 bytes (1 MiB)"));
    CHECK(seconds_since(start) < 5);
  }
  SECTION("a regular file whose size says nothing of its contents is read no further") {
    // /proc files report a size of 0; pagemap holds 8 bytes per page of address space.
    if (::access("/proc/self/pagemap", R_OK) != 0) {
      WARN("/proc/self/pagemap is not readable here");
      return;
    }
    CHECK_THAT(file_error_of("/proc/self/pagemap").what(),
               Equals("/proc/self/pagemap: is larger than 1048576 bytes (1 MiB)"));
  }
}

TEST_CASE("config bounds: a key is at most 256 bytes", "[config-bounds]") {
  const std::string at(kKeyBytes, 'k');
  const sy::Config c =
      sy::Config::from_string("[kinds.\"" + at + "\"]\nplacement = \"cpu\"\n", "at.toml");
  REQUIRE(c.kinds.count(at) == 1);
  CHECK(c.kinds.at(at).placement == sy::Placement::cpu);
  CHECK(sy::Config::from_string("[kinds]\n" + at + ".isolate = true\n", "bare.toml")
            .kinds.at(at)
            .isolate);

  // The message shows the key as written, cut after 80 bytes.
  const std::string past(kKeyBytes + 1, 'k');
  auto shown = [](const std::string& key) { return key.substr(0, 80) + "..."; };
  struct Case {
    std::string text;
    std::uint32_t line;
    std::uint32_t column;
    std::string key;
  };
  const Case k = GENERATE_COPY(
      Case{"[kinds.\"" + past + "\"]\nplacement = \"cpu\"\n", 1, 8, shown("kinds.\"" + past)},
      Case{"[kinds]\n" + past + ".isolate = true\n", 2, 1, shown(past)},
      Case{"[executors]\nshards = 1\n" + past + " = 1\n", 3, 1, shown(past)},
      Case{"a = {b = 1, '" + past + "' = 2}\n", 1, 13, shown("'" + past)});
  const sy::ConfigError e = error_of(k.text);
  CHECK(e.line() == k.line);
  CHECK(e.column() == k.column);
  CHECK(e.key() == k.key);
  CHECK(e.reason() == "a key is at most 256 bytes; this one has 257");
}

TEST_CASE("config bounds: nesting is at most 32 deep and checked before parsing",
          "[config-bounds]") {
  const std::string deepest_reason =
      "nested more than 32 deep (each key segment, array and inline table is one level)";
  SECTION("dotted keys") {
    // At the bound the text is parsed, and the schema finds the first key unknown.
    const sy::ConfigError at = error_of(dotted("a", kNesting) + " = 1\n");
    CHECK_THAT(at.reason(), StartsWith("unknown key"));
    const sy::ConfigError past = error_of(dotted("a", kNesting + 1) + " = 1\n");
    CHECK(past.line() == 1);
    CHECK(past.column() == 2 * kNesting + 1);
    CHECK(past.key() == dotted("a", kNesting + 1));
    CHECK(past.reason() == deepest_reason);
  }
  SECTION("a table header counts toward the keys under it") {
    CHECK_THAT(error_of("[" + dotted("a", kNesting - 1) + "]\nb = 1\n").reason(),
               StartsWith("unknown key"));
    const sy::ConfigError past = error_of("[" + dotted("a", kNesting - 1) + "]\nb.c = 1\n");
    CHECK(past.line() == 2);
    CHECK(past.column() == 3);
    CHECK(past.key() == "b.c");
    CHECK(past.reason() == deepest_reason);
    CHECK(error_of("[[" + dotted("a", kNesting + 1) + "]]\n").reason() == deepest_reason);
  }
  SECTION("arrays and inline tables") {
    auto arrays = [](int n) {
      return "a = " + std::string(n, '[') + "1" + std::string(n, ']') + "\n";
    };
    // `key = {b = {b = ... 1}}` with n inline tables: the key, and two levels per table.
    auto tables = [](std::string_view key, int n) {
      std::string text = std::string(key) + " = ";
      for (int i = 0; i < n; ++i) text += "{b = ";
      return text + "1" + std::string(n, '}') + "\n";
    };
    CHECK_THAT(error_of(arrays(kNesting - 1)).reason(), StartsWith("unknown key"));
    CHECK_THAT(error_of(tables("a.b", (kNesting - 2) / 2)).reason(), StartsWith("unknown key"));
    CHECK(error_of(arrays(kNesting)).reason() == deepest_reason);
    CHECK(error_of(tables("a", kNesting / 2)).reason() == deepest_reason);
    const sy::ConfigError mixed = error_of("x = [1, [2, {c.d = [[3]]}]]\ny = [{e = [{f = 4}]}]\n" +
                                           std::string("z = [") + arrays(kNesting).substr(4));
    CHECK(mixed.line() == 3);
    CHECK(mixed.column() == 4 + kNesting);
    CHECK(mixed.key() == "z");
  }
  SECTION("brackets and dots inside strings and comments do not count") {
    const std::string brackets = std::string(1000, '[') + std::string(1000, '.') + "{{";
    const std::string text = "a = \"" + brackets + "\\\"\"\n" +  // a basic string
                             "b = '" + brackets + "'\n" +        // a literal string
                             "c = \"\"\"\n" + brackets + "\\\"\"\"\n\"\"\"\"\"\n" +  // multi-line
                             "d = '''" + brackets + "\n'''''  # " + brackets + "\n" +
                             "\"[[.[.]]\" = [\n  1, # " + brackets + "\n  2]\n";
    const sy::ConfigError e = error_of(text);
    CHECK_THAT(e.reason(), StartsWith("unknown key"));
    CHECK(e.problems().size() == 5);
  }
  SECTION("hostile depths end in an error, not a crash") {
    std::string tables = "a = ";
    for (int i = 0; i < 100'000; ++i) tables += "{b=";
    const std::string text =
        GENERATE_COPY(dotted("a", 60'000) + " = 1\n", "[" + dotted("a", 60'000) + "]\n",
                      "a = " + std::string(100'000, '[') + std::string(100'000, ']') + "\n",
                      "a = {" + dotted("b", 60'000) + " = 1}\n", tables);
    CHECK(error_of(text).reason() == deepest_reason);
  }
}

TEST_CASE("config bounds: at most 10000 kinds", "[config-bounds]") {
  auto kinds = [](int n) {
    std::string text;
    for (int i = 0; i < n; ++i) text += "[kinds.k" + std::to_string(i) + "]\nplacement = \"cpu\"\n";
    return text;
  };
  const auto start = std::chrono::steady_clock::now();
  CHECK(sy::Config::from_string(kinds(kKinds), "at.toml").kinds.size() == kKinds);
  CHECK(seconds_since(start) < 10);

  const sy::ConfigError e = error_of(kinds(kKinds + 1));
  REQUIRE(e.problems().size() == 1);
  CHECK(e.line() == 2 * kKinds + 1);
  CHECK(e.key() == "kinds.k10000");
  CHECK(e.reason() == "more than 10000 kinds");

  SECTION("200,000 kinds are refused by the size bound, at once") {
    const TempDir dir;
    const auto start_large = std::chrono::steady_clock::now();
    CHECK_THAT(file_error_of(dir.write("many.toml", kinds(200'000))).what(),
               Contains("is larger than 1048576 bytes"));
    CHECK(seconds_since(start_large) < 5);
  }
}

TEST_CASE("config bounds: unknown keys cost one pass however many", "[config-bounds]") {
  // The size bound allows about 96,000 unknown keys in one table. One pass over them takes
  // about a second here (ten under ASan); comparing each with the others would take minutes.
  std::string many = "[executors]\n";
  for (int i = 0; many.size() < kFileBytes - 20; ++i) {
    many += 'k';
    many += std::to_string(i);
    many += " = 1\n";
  }
  const auto start = std::chrono::steady_clock::now();
  CHECK(error_of(many).problems().size() > 90'000);
  CHECK(seconds_since(start) < 60);
}

TEST_CASE("config bounds: an unknown name costs little however long", "[config-bounds]") {
  // Half a MiB compared in full with each valid name took 0.3 s; skipped, well under that.
  const std::string value(kFileBytes / 2, 'r');
  const auto start = std::chrono::steady_clock::now();
  const sy::ConfigError e =
      error_of("[policy]\nname = \"" + value + "\"\n[kinds.a]\nplacement = \"" +
               value.substr(0, kFileBytes / 4) + "\"\n");
  CHECK(seconds_since(start) < 5);
  REQUIRE(e.problems().size() == 2);
  CHECK(e.problems()[0].reason == "unknown policy (valid: fixed, rules, cost, explore)");
  CHECK(e.problems()[1].reason == "unknown placement (valid: fiber, cpu, blocking, shard)");
}

TEST_CASE("config bounds: characters outside ASCII only in strings and comments",
          "[config-bounds]") {
  // TOML allows them there, and there they stay.
  const sy::Config c = sy::Config::from_string(
      "# café\n[kinds.\"crème\"] # brûlée\nplacement = \"cpu\" # ½\n", "utf8.toml");
  CHECK(c.kinds.at("crème").placement == sy::Placement::cpu);
  // Elsewhere toml++ 3.3 may meet them with undefined behaviour: they are refused first.
  const RefusedAt k = GENERATE(RefusedAt{"\xC3\xA9=1\n", 1, 1}, RefusedAt{"a = 1 \xC3\xA9\n", 1, 7},
                               RefusedAt{"[kinds]\nx\xEF\xBA\xBF = 1\n", 2, 2},
                               RefusedAt{"[kinds.a] \xC3\xA9\n", 1, 11});
  k.check("a character outside ASCII outside a string or a comment");
}

TEST_CASE(
    "config bounds: no character outside ASCII where a backslash in a string is followed "
    "by blanks",
    "[config-bounds]") {
  // Escaped, and after a line-ending backslash, a string's characters stay as they were.
  const sy::Config c = sy::Config::from_string(
      "[kinds.\"cr\\u00e8me\\\\\xC3\xA9\"]\nplacement = \"\"\"c\\\n    pu\"\"\"\n", "utf8.toml");
  CHECK(c.kinds.at("crème\\é").placement == sy::Placement::cpu);
  // There toml++ 3.3 asks whether the character is a blank, with undefined behaviour for most
  // of them; no escape TOML knows starts so: refused first.
  const RefusedAt k = GENERATE(RefusedAt{"a = \"x\\\xC3\xA9\"\n", 1, 8},
                               RefusedAt{"a = \"\"\"x\\ \xC3\xA9\"\"\"\n", 1, 11},
                               RefusedAt{"a = \"\"\"x\\\n  \t\n \xC3\xA9\"\"\"\n", 3, 2});
  k.check("a character outside ASCII after a backslash and blanks in a string");
}

TEST_CASE("config bounds: a quote inside a bare value opens no string", "[config-bounds]") {
  // toml++ reads a number or a date up to a blank, a comma, a bracket or a comment, asking of
  // each character whether it ends the value: a character outside ASCII there is refused first,
  // quotes before it or not.
  RefusedAt{"[executors]\nstack_kib = 0x4;\"\"\"-27T07:\xD2\x93-34\n", 2, 27}.check(
      "a character outside ASCII outside a string or a comment");
  // A string after a bare value and a blank is a string (and a mistake toml++ names).
  const sy::ConfigError after = error_of("[executors]\nstack_kib = 64 \"\xC3\xA9\"\n");
  CHECK(after.reason() != "a character outside ASCII outside a string or a comment");
}
