#include "report/trace.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace switchyard::detail {

namespace {

// The policy's moves go on a track of their own, before the threads'.
constexpr std::uint32_t kPolicyTrack = 0;

// Writer streams trace events, comma-separated, with timestamps in microseconds since the
// runtime started, as the format wants them.
class Writer {
 public:
  Writer(std::ostream& out, std::int64_t start_ns) : out_(out), start_ns_(start_ns) {}

  // event() writes one event: `fields` are its members after "ph", "pid" and "tid", without
  // braces.
  void event(char phase, std::uint32_t tid, std::string_view fields) {
    buffer_.clear();
    fmt::format_to(std::back_inserter(buffer_), "{}\n{{\"ph\":\"{}\",\"pid\":{},\"tid\":{},{}}}",
                   first_ ? "" : ",", phase, pid_, tid, fields);
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    first_ = false;
  }
  // ts() is a steady-clock time as the trace's timestamp.
  std::string ts(std::int64_t steady_ns) const { return since_start(steady_ns - start_ns_); }
  static std::string since_start(std::int64_t ns) {
    return fmt::format("{}.{:03}", ns / 1000, std::max<std::int64_t>(0, ns % 1000));
  }
  // quoted() is `text` as a JSON string.
  static std::string quoted(const std::string& text) { return nlohmann::json(text).dump(); }

 private:
  std::ostream& out_;
  const std::int64_t start_ns_;
  const pid_t pid_ = ::getpid();
  fmt::memory_buffer buffer_;
  bool first_ = true;
};

}  // namespace

void Trace::Track::slice(std::uint64_t task, const std::string& kind, std::int64_t begin_ns,
                         std::int64_t end_ns) noexcept {
  if (!trace_.admit()) return;
  try {
    slices_.push_back({task, &kind, begin_ns, end_ns});
  } catch (const std::bad_alloc&) {
    trace_.dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

bool Trace::admit() noexcept {
  if (slices_.fetch_add(1, std::memory_order_relaxed) < max_slices_) return true;
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

Trace::Track& Trace::track(Placement placement, std::string name) {
  std::lock_guard lk(mutex_);
  const auto id = static_cast<std::uint32_t>(tracks_.size() + 1);
  return tracks_.emplace_back(Track(*this, id, std::move(name), placement));
}

void Trace::shard_call(std::size_t shard, std::uint64_t task, const std::string& kind,
                       std::int64_t begin_ns, std::int64_t end_ns) noexcept {
  std::lock_guard lk(mutex_);
  try {
    if (shard_tracks_.size() <= shard) shard_tracks_.resize(shard + 1, nullptr);
    Track*& track = shard_tracks_[shard];
    if (track == nullptr) {
      const auto id = static_cast<std::uint32_t>(tracks_.size() + 1);
      track = &tracks_.emplace_back(
          Track(*this, id, "shard " + std::to_string(shard), Placement::shard));
    }
    track->slice(task, kind, begin_ns, end_ns);
  } catch (const std::bad_alloc&) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Trace::stall(const Track& track, const std::string& kind, std::int64_t at_ns,
                  bool blocked) noexcept {
  std::lock_guard lk(mutex_);
  try {
    stalls_.push_back({track.id_, &kind, at_ns, blocked});
  } catch (const std::bad_alloc&) {
    // The trace loses a mark; the stall is still handled.
  }
}

void Trace::write(const std::filesystem::path& path, const Report& report) const {
  std::ofstream out(path, std::ios::trunc);
  if (out) {
    std::lock_guard lk(mutex_);
    Writer w(out, start_ns_);
    out << "{\"traceEvents\":[";
    w.event('M', kPolicyTrack, "\"name\":\"process_name\",\"args\":{\"name\":\"switchyard\"}");
    w.event('M', kPolicyTrack, "\"name\":\"thread_name\",\"args\":{\"name\":\"policy\"}");
    std::unordered_map<const std::string*, std::string> names;
    auto name_of = [&](const std::string* kind) -> const std::string& {
      auto [it, fresh] = names.try_emplace(kind);
      if (fresh) it->second = Writer::quoted(*kind);
      return it->second;
    };
    // Slices, and where each task ran, in order, for the flows.
    struct Run {
      std::uint64_t task;
      std::int64_t begin_ns, end_ns;
      const Track* track;
    };
    std::vector<Run> runs;
    for (const Track& t : tracks_) {
      w.event('M', t.id_,
              fmt::format("\"name\":\"thread_name\",\"args\":{{\"name\":{}}}",
                          Writer::quoted(t.name_)));
      w.event('M', t.id_,
              fmt::format("\"name\":\"thread_sort_index\",\"args\":{{\"sort_index\":{}}}", t.id_));
      for (const Track::Slice& s : t.slices_) {
        w.event('X', t.id_,
                fmt::format(
                    "\"name\":{},\"cat\":\"task\",\"ts\":{},\"dur\":{},\"args\":{{\"task\":{}}}",
                    name_of(s.kind), w.ts(s.begin_ns), Writer::since_start(s.end_ns - s.begin_ns),
                    s.task));
        runs.push_back({s.task, s.begin_ns, s.end_ns, &t});
      }
    }
    std::sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
      return a.task != b.task ? a.task < b.task : a.begin_ns < b.begin_ns;
    });
    std::uint64_t flow = 0;
    for (std::size_t i = 1; i < runs.size(); ++i) {
      const Run& from = runs[i - 1];
      const Run& to = runs[i];
      if (from.task != to.task || from.track->placement_ == to.track->placement_) continue;
      ++flow;
      const std::string body =
          fmt::format("\"name\":\"moved\",\"cat\":\"migration\",\"id\":{}", flow);
      w.event('s', from.track->id_,
              fmt::format("{},\"ts\":{}", body,
                          w.ts(from.begin_ns + (from.end_ns - from.begin_ns) / 2)));
      w.event('f', to.track->id_,
              fmt::format("{},\"bp\":\"e\",\"ts\":{}", body,
                          w.ts(to.begin_ns + (to.end_ns - to.begin_ns) / 2)));
    }
    for (const Stall& s : stalls_) {
      w.event('i', s.track,
              fmt::format(
                  "\"name\":{},\"cat\":\"stall\",\"s\":\"t\",\"ts\":{},\"args\":{{\"kind\":{},"
                  "\"blocked\":{}}}",
                  Writer::quoted("stall: " + *s.kind), w.ts(s.at_ns), name_of(s.kind), s.blocked));
    }
    for (const Report::KindReport& k : report.kinds) {
      for (const Report::PlacementChange& c : k.history) {
        w.event('i', kPolicyTrack,
                fmt::format("\"name\":{},\"cat\":\"policy\",\"s\":\"t\",\"ts\":{},\"args\":{{"
                            "\"kind\":{},\"from\":\"{}\",\"to\":\"{}\",\"rule\":{},"
                            "\"measured\":{},\"threshold\":{}}}",
                            Writer::quoted(k.name + ": " + std::string(to_string(c.from)) + " -> " +
                                           std::string(to_string(c.to))),
                            Writer::since_start(c.at.count()), Writer::quoted(k.name),
                            to_string(c.from), to_string(c.to), Writer::quoted(c.rule),
                            nlohmann::json(c.measured).dump(), nlohmann::json(c.threshold).dump()));
      }
    }
    const std::size_t dropped = dropped_.load(std::memory_order_relaxed);
    out << fmt::format(
        "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{{\"schema\":\"switchyard.trace\","
        "\"version\":1,\"policy\":{},\"slices\":{},\"dropped_slices\":{}}}}}\n",
        Writer::quoted(report.policy), runs.size(), dropped);
    out.close();
  }
  if (!out) {
    throw std::runtime_error("switchyard: cannot write the trace to " + path.string() + ": " +
                             std::strerror(errno));
  }
}

}  // namespace switchyard::detail
