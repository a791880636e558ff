// A program outside the project that finds Switchyard installed: through pkg-config (its
// meson.build) or CMake's find_package (its CMakeLists.txt).
#include <iostream>

#include <switchyard/switchyard.hpp>

int main() {
  switchyard::Runtime rt;
  std::cout << rt.spawn("hello", [] { return 41 + 1; }).get() << "\n";
}
