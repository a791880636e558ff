#include "core/logger.hpp"

#include <atomic>
#include <cstdio>
#include <memory>

namespace switchyard {
namespace {

using SinkSlot = std::atomic<std::shared_ptr<const LogSink>>;

// slot() holds the program's sink, empty for the default. It is never destroyed: a runtime
// shut down by a thread at exit may still have something to say after static destructors ran.
SinkSlot& slot() {
  static SinkSlot* const s = new SinkSlot();
  return *s;
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "unknown";
}

void set_log_sink(LogSink sink) {
  slot().store(sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr);
}

void stderr_log_sink(const LogRecord& record) noexcept {
  if (record.level < LogLevel::warning) return;
  // One call, so that lines from several threads do not interleave.
  std::fprintf(stderr, "%.*s\n", static_cast<int>(record.text.size()), record.text.data());
}

namespace detail {

void emit(LogLevel level, std::string_view event, std::string_view text,
          std::initializer_list<LogField> fields) noexcept {
  const LogRecord record{level, event, text,
                         std::span<const LogField>(fields.begin(), fields.size())};
  const std::shared_ptr<const LogSink> sink = slot().load();
  if (!sink) {
    stderr_log_sink(record);
    return;
  }
  try {
    (*sink)(record);
  } catch (...) {
    // A sink's failure is its own; the runtime goes on.
  }
}

}  // namespace detail
}  // namespace switchyard
