// Topology parts as JSON, written the same way by the runtime's report and by
// switchyard-probe --json. Templated on the nlohmann JSON type, as machine_model_json.hpp is.
// Include <nlohmann/json.hpp> before using them.
#pragma once

#include <switchyard/topology.hpp>

namespace switchyard {

// to_json() writes a cache level as {"level", "type", "size_bytes", "line_bytes",
// "shared_by_cores", "instances"}; nlohmann finds it by argument-dependent lookup, so
// `Json caches = topology.caches();` works. Never blocks; any thread.
template <class Json>
void to_json(Json& json, const Cache& cache) {
  json = Json{{"level", cache.level},
              {"type", cache.type},
              {"size_bytes", cache.size_bytes},
              {"line_bytes", cache.line_bytes},
              {"shared_by_cores", cache.shared_by_cores},
              {"instances", cache.instances}};
}

}  // namespace switchyard
