// The number of shards a runtime takes from a Config set in code: the loader's bound holds
// there too, and a refusal names the key.
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include <switchyard/config_limits.hpp>
#include <switchyard/runtime.hpp>

#include "shard_support.hpp"
#include "shard_tasks.hpp"

namespace switchyard::test {

TEST_CASE("more shards than the transport tells apart is an error naming the key",
          "[shard-count]") {
  const std::uint32_t past = GENERATE(kMaxShards + 1, 65'535u);
  const std::string message = "switchyard: executors.shards = " + std::to_string(past) +
                              ": a shard pool has between 1 and 65533 shards";
  CHECK_THROWS_MATCHES(Runtime(shard_config(past, 8)), std::invalid_argument,
                       Catch::Matchers::Message(message));
}

}  // namespace switchyard::test
