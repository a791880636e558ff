// require(): the targets' check of a property that must hold for every input.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace switchyard::fuzz {

// require() stops the target when `holds` is false, as a crash does: libFuzzer then saves the
// input that broke the property, and `what` says which property it was.
inline void require(bool holds, const char* what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", what);
  std::abort();
}

}  // namespace switchyard::fuzz
