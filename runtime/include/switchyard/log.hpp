// Log sink: where the runtime's messages go (a stall, a shutdown waiting on a task, a pool
// that could not start a thread), stderr unless the program says otherwise.
#pragma once

#include <functional>
#include <span>
#include <string_view>

namespace switchyard {

// LogLevel ranks a message. The default sink writes warning and error; debug and info (the
// watchdog's stalls, say) reach only a sink the program sets.
enum class LogLevel { debug, info, warning, error };

// to_string(level) is the level's lowercase name: "debug", "info", "warning", "error".
std::string_view to_string(LogLevel level) noexcept;

// LogField is one structured fact of a message: its name ("kind", "executor", "worker",
// ...) and its value as text.
struct LogField {
  std::string_view name;
  std::string_view value;
};

// LogRecord is one message: its level; `event`, a fixed name a program can filter on
// ("stall", "shutdown_waiting", ...); `text`, the line the default sink writes (no newline);
// and its fields. Every view in it lives only for the sink's call.
struct LogRecord {
  LogLevel level = LogLevel::info;
  std::string_view event;
  std::string_view text;
  std::span<const LogField> fields;

  // field(name) is the value of the field called `name`, or an empty view.
  std::string_view field(std::string_view name) const noexcept {
    for (const LogField& f : fields) {
      if (f.name == name) return f.value;
    }
    return {};
  }
};

// LogSink receives the runtime's messages. It is called from whichever thread has something
// to say (a worker, the watchdog's monitor thread, the thread shutting down), possibly from
// several at once, and must not call back into a Runtime. What it throws is dropped.
using LogSink = std::function<void(const LogRecord&)>;

// set_log_sink() sends every later message of every runtime in the process to `sink`; an
// empty sink puts back the default (warning and error as one line each on stderr). A
// message that started before the swap may still reach the old sink. Any thread; never
// blocks on a message being written.
void set_log_sink(LogSink sink);

// stderr_log_sink() is the default sink: writes warnings and errors to stderr, one line
// each, and drops the rest.
void stderr_log_sink(const LogRecord& record) noexcept;

}  // namespace switchyard
