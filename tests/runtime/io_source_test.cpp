// IoSource's read protocol: a short read makes the next read wait for readiness first, unless
// an end of stream, hang-up or error was reported, after which no edge comes.
#include <catch2/catch.hpp>

#include "io/io_source.hpp"

namespace {

using switchyard::detail::IoSource;
using switchyard::detail::Readiness;

}  // namespace

TEST_CASE("a short read makes the next read wait first, once", "[io-source]") {
  IoSource source(-1, nullptr);
  CHECK_FALSE(source.wait_before_read());  // no read yet
  source.read_drained = true;
  CHECK(source.wait_before_read());
  CHECK_FALSE(source.wait_before_read());  // forgotten once asked
}

TEST_CASE("an end of stream reported makes every later read go first", "[io-source]") {
  IoSource source(-1, nullptr);
  // The data's edge, then the end's, over the token the data left.
  source.signal(Readiness{&source, true, false, false});
  source.signal(Readiness{&source, true, false, true});
  CHECK(source.readers.load() == IoSource::kReady);
  CHECK(source.writers.load() == IoSource::kEmpty);
  // The reader takes the token, and its read comes back short with the last of the data.
  for (int read = 0; read < 3; ++read) {
    source.read_drained = true;
    CHECK_FALSE(source.wait_before_read());
  }
}

TEST_CASE("a hang-up or error counts as an end for reads and readies writers", "[io-source]") {
  IoSource source(-1, nullptr);
  source.signal(Readiness{&source, true, true, true});
  CHECK(source.readers.load() == IoSource::kReady);
  CHECK(source.writers.load() == IoSource::kReady);
  source.read_drained = true;
  CHECK_FALSE(source.wait_before_read());
}
