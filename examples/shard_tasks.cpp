// shard_tasks: registered tasks that run in worker processes.
//
// A registered task is a function Switchyard can call in a shard process by name; its
// arguments and result travel through cereal. This example sends a user struct through a
// shard, shows an exception crossing back, runs a kind that must never run in this process
// (`isolate`), and survives a shard that crashes.
#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <switchyard/switchyard.hpp>

namespace sy = switchyard;

// Histogram crosses the process boundary through its serialize() member.
struct Histogram {
  std::vector<std::uint32_t> buckets;
  std::string label;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(buckets, label);
  }
};

// digits() counts the decimal digits of the numbers in [lo, hi), by last digit.
SWITCHYARD_TASK(digits, (std::uint64_t lo, std::uint64_t hi)->Histogram) {
  Histogram h{std::vector<std::uint32_t>(10), "last digits of [" + std::to_string(lo) + ", " +
                                                  std::to_string(hi) + ") in pid " +
                                                  std::to_string(::getpid())};
  for (std::uint64_t n = lo; n < hi; ++n) ++h.buckets[n % 10];
  return h;
}

// parse() throws for text that is not a number: the caller gets the message.
SWITCHYARD_TASK(parse, (const std::string& text)->long) {
  std::size_t used = 0;
  const long value = std::stol(text, &used);
  if (used != text.size()) throw std::invalid_argument("'" + text + "' has trailing characters");
  return value;
}

// fragile() crashes its shard: the caller gets ShardLost, the shard is restarted.
SWITCHYARD_TASK(fragile, ()->int) {
  ::raise(SIGSEGV);
  return 0;
}

int main() {
  sy::Config config;
  config.kinds["fragile"].isolate = true;  // never in this process
  sy::Runtime rt(config);
  const sy::Hint shard = sy::on(sy::Placement::shard);

  const Histogram h = rt.submit(shard, digits, 0, 1'000'005).get();
  std::cout << h.label << " (this is pid " << ::getpid() << "): ";
  for (std::uint32_t b : h.buckets) std::cout << b << ' ';
  std::cout << '\n';

  try {
    rt.submit(shard, parse, "12x").get();
  } catch (const sy::ShardTaskError& e) {
    std::cout << "parse threw " << e.type() << ": " << e.what() << '\n';
  }

  try {
    rt.submit(fragile).get();
  } catch (const sy::ShardLost& e) {
    std::cout << e.what() << '\n';
  }
  std::cout << "after the crash: parse(\"42\") = " << rt.submit(shard, parse, "42").get() << '\n';
  rt.report().print(std::cout);
}
