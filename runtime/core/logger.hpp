// log(): how the runtime says something, through the program's log sink.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include <switchyard/log.hpp>

namespace switchyard::detail {

// emit() hands one message to the current sink. Never throws.
void emit(LogLevel level, std::string_view event, std::string_view text,
          std::initializer_list<LogField> fields) noexcept;

// log() formats the text (fmt syntax) and hands the message to the current sink. Never
// throws: a message that cannot be formatted (out of memory) is dropped, never the caller's
// work.
template <class... A>
void log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields,
         fmt::format_string<A...> format, A&&... args) noexcept {
  try {
    const std::string text = fmt::format(format, std::forward<A>(args)...);
    emit(level, event, text, fields);
  } catch (...) {
    // Nowhere left to say it.
  }
}

}  // namespace switchyard::detail
