// How config errors show what the user wrote: value types, numbers, values and keys as TOML.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

namespace switchyard::detail {

// type_phrase() names a TOML type for a message: "an integer", "a table".
std::string_view type_phrase(toml::node_type type);

// number_text() gives the shortest text that reads back as `value`, so -0.1 is not shown as
// -0.10000000000000001.
std::string number_text(double value);

// render() writes a value back as TOML so the message shows what the user wrote. Tables are
// left out: they span lines and the key already locates them.
std::string render(const toml::node& node);

// key_segment() quotes a key the way TOML would need it, so a dotted path stays unambiguous
// for kind names like "db.query".
std::string key_segment(std::string_view key);

}  // namespace switchyard::detail
