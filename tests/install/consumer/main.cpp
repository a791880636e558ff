// A program outside the project that finds Switchyard through pkg-config.
#include <iostream>

#include <switchyard/switchyard.hpp>

int main() {
  switchyard::Runtime rt;
  std::cout << rt.spawn("hello", [] { return 41 + 1; }).get() << "\n";
}
