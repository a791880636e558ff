// Config text checks made before toml++ parses a config: its size, its keys' lengths, its depth.
#pragma once

#include <string_view>

#include <switchyard/config.hpp>

namespace switchyard {

// too_large() is the problem of a config of more than kMaxConfigBytes read from `source`;
// `named_by` ends the reason (" (named by SWITCHYARD_CONFIG)"), or is empty. Does not block;
// call from any thread.
ConfigProblem too_large(std::string_view source, std::string_view named_by = {});

// scan_text() throws ConfigError if `text` is larger than kMaxConfigBytes, has a key segment
// longer than kMaxConfigKeyBytes, or nests deeper than kMaxConfigNesting: toml++ would take
// time, memory or, once the tree is built, stack in proportion. It reads the text once and
// never recurses. Does not block; call from any thread.
void scan_text(std::string_view text, std::string_view source);

}  // namespace switchyard
