// The open-file limit: a runtime raises its process's soft RLIMIT_NOFILE to the hard limit,
// because every connection costs a descriptor, and its report says what it found and set.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <algorithm>

#include <switchyard/switchyard.hpp>

#include "net_support.hpp"

namespace sy = switchyard;

TEST_CASE("the runtime raises the open-file soft limit to the hard limit", "[file-limit]") {
  const rlimit original = sy::test::fd_limit();
  if (original.rlim_max == RLIM_INFINITY) {
    WARN("skipped: the hard open-file limit is unlimited, so there is no limit to raise to");
    return;
  }
  // A soft limit below the hard one (any process may lower it) makes the raise visible.
  const rlimit lowered{std::min<rlim_t>(original.rlim_max, 1024) - 1, original.rlim_max};
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  sy::Report::FileLimit files;
  rlimit during{};
  {
    sy::Runtime rt(sy::test::small_config());
    files = rt.report().open_files;
    during = sy::test::fd_limit();
  }
  ::setrlimit(RLIMIT_NOFILE, &original);
  REQUIRE(files.before == lowered.rlim_cur);
  REQUIRE(files.now >= files.before);
  REQUIRE(files.now == during.rlim_max);
  REQUIRE(during.rlim_cur == during.rlim_max);
}
