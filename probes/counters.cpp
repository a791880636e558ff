// The counter plan's fallback chain and per-thread reading. PAPI itself stays behind
// papi_backend.hpp.
#include <switchyard/counters.hpp>

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "papi_backend.hpp"

namespace switchyard {

namespace {

// What an event measures, as far as derived figures and the fallback chain care.
enum class Quantity {
  other,
  instructions,
  cycles,
  cache_misses,
  context_switches,
  page_faults,
  task_clock
};

// KnownEvent: an event whose meaning Switchyard knows, with the next step of its chain.
struct KnownEvent {
  std::string_view name;
  Quantity quantity;
  std::string_view perf_equivalent;  // the perf:: event counting the same thing, if any
  int cache_level = 0;               // for cache misses: higher is further from the core
};

constexpr KnownEvent kKnownEvents[] = {
    {"PAPI_TOT_INS", Quantity::instructions, "perf::INSTRUCTIONS"},
    {"PAPI_TOT_CYC", Quantity::cycles, "perf::CPU-CYCLES"},
    {"PAPI_L1_DCM", Quantity::cache_misses, "perf::L1-DCACHE-LOAD-MISSES", 1},
    {"PAPI_L1_TCM", Quantity::cache_misses, "", 1},
    {"PAPI_L2_DCM", Quantity::cache_misses, "", 2},
    {"PAPI_L2_TCM", Quantity::cache_misses, "", 2},
    {"PAPI_L3_DCM", Quantity::cache_misses, "", 3},
    // perf:: has no generic total-miss event per level; LLC-LOAD-MISSES (loads only) is the
    // closest stand-in for last-level misses.
    {"PAPI_L3_TCM", Quantity::cache_misses, "perf::LLC-LOAD-MISSES", 3},
    {"perf::INSTRUCTIONS", Quantity::instructions, ""},
    {"perf::CPU-CYCLES", Quantity::cycles, ""},
    {"perf::CYCLES", Quantity::cycles, ""},
    {"perf::L1-DCACHE-LOAD-MISSES", Quantity::cache_misses, "", 1},
    {"perf::LLC-LOAD-MISSES", Quantity::cache_misses, "", 9},
    {"perf::CACHE-MISSES", Quantity::cache_misses, "", 9},
    {"perf::CONTEXT-SWITCHES", Quantity::context_switches, ""},
    {"perf::CS", Quantity::context_switches, ""},
    {"perf::PAGE-FAULTS", Quantity::page_faults, ""},
    {"perf::FAULTS", Quantity::page_faults, ""},
    {"perf::TASK-CLOCK", Quantity::task_clock, ""},
};

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

KnownEvent known(std::string_view name) {
  for (const KnownEvent& event : kKnownEvents) {
    if (same_name(event.name, name)) return event;
  }
  return {name, Quantity::other, ""};
}

bool is_preset(std::string_view name) {
  return same_name(name.substr(0, 5), "PAPI_");
}

// The last link of the chain: what getrusage()/clock_gettime() can stand in for.
struct SystemFallback {
  CounterSource source;
  std::string_view counted_by;
};

std::optional<SystemFallback> system_fallback(Quantity quantity) {
  switch (quantity) {
    case Quantity::context_switches:
      return SystemFallback{CounterSource::rusage, "getrusage(RUSAGE_THREAD) ru_nvcsw+ru_nivcsw"};
    case Quantity::page_faults:
      return SystemFallback{CounterSource::rusage, "getrusage(RUSAGE_THREAD) ru_minflt+ru_majflt"};
    case Quantity::task_clock:
      return SystemFallback{CounterSource::thread_clock, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)"};
    default:
      return std::nullopt;
  }
}

std::string join(const std::vector<std::string>& steps) {
  std::string text;
  for (const std::string& step : steps) text += (text.empty() ? "" : "; ") + step;
  return text;
}

// Slot: how read() fills one CounterSample::events entry.
struct Slot {
  CounterSource source = CounterSource::none;
  Quantity quantity = Quantity::other;
  std::size_t papi_index = 0;  // position in the PAPI event set, for PAPI sources
};

}  // namespace

struct CounterPlan::Impl {
  std::vector<PlannedEvent> events;
  std::vector<Slot> slots;              // one per live event, by slot
  std::vector<std::string> papi_names;  // PAPI events in the order they are added
  int instructions_slot = -1;
  int cycles_slot = -1;
  int cache_misses_slot = -1;
  CounterMode mode = CounterMode::automatic;
  std::string mode_origin;
  std::string papi;
  std::vector<std::string> notes;
};

std::string_view to_string(CounterMode mode) noexcept {
  switch (mode) {
    case CounterMode::presets_off:
      return "presets-off";
    case CounterMode::papi_off:
      return "papi-off";
    case CounterMode::automatic:
      break;
  }
  return "auto";
}

std::string_view to_string(CounterSource source) noexcept {
  switch (source) {
    case CounterSource::papi_preset:
      return "papi-preset";
    case CounterSource::papi_native:
      return "papi-native";
    case CounterSource::rusage:
      return "rusage";
    case CounterSource::thread_clock:
      return "thread-clock";
    case CounterSource::none:
      break;
  }
  return "none";
}

std::vector<std::string> default_counter_events() {
  return {"PAPI_TOT_INS", "PAPI_TOT_CYC",           "PAPI_L1_DCM",
          "PAPI_L2_TCM",  "perf::CONTEXT-SWITCHES", "perf::TASK-CLOCK"};
}

CounterOptions CounterOptions::from_environment() {
  CounterOptions options;
  const char* value = std::getenv("SWITCHYARD_COUNTERS");
  if (value == nullptr || *value == '\0') {
    options.mode_origin = "default (SWITCHYARD_COUNTERS unset)";
    return options;
  }
  const std::string text(value);
  for (CounterMode mode :
       {CounterMode::automatic, CounterMode::presets_off, CounterMode::papi_off}) {
    if (text == to_string(mode)) {
      options.mode = mode;
      options.mode_origin = "SWITCHYARD_COUNTERS=" + text;
      return options;
    }
  }
  options.mode_origin = "SWITCHYARD_COUNTERS=" + text +
                        " not understood (expected auto, presets-off or papi-off), using auto";
  return options;
}

namespace {

bool is_papi(CounterSource source) {
  return source == CounterSource::papi_preset || source == CounterSource::papi_native;
}

// Planner walks each requested event down the chain. PAPI events go into one trial event set,
// so the plan keeps only events that can be counted together.
class Planner {
 public:
  // Planner() tries PAPI through `trial` when `papi_refusal` is empty; otherwise `trial` may
  // be null and every PAPI step fails with `papi_refusal`.
  Planner(const CounterOptions& options, detail::PapiEventSet* trial, std::string papi_refusal)
      : options_(options), trial_(trial), papi_refusal_(std::move(papi_refusal)) {}

  void plan(CounterPlan::Impl& impl) {
    for (const std::string& name : options_.events) {
      const KnownEvent meaning = known(name);
      PlannedEvent event = plan_one(name, meaning, impl);
      if (event.live) {
        event.slot = impl.slots.size();
        Slot slot{event.source, meaning.quantity, 0};
        if (is_papi(event.source)) {
          slot.papi_index = impl.papi_names.size();
          impl.papi_names.push_back(event.counted_by);
        }
        impl.slots.push_back(slot);
        note_quantity(impl, meaning, event.slot);
      }
      impl.events.push_back(std::move(event));
    }
  }

 private:
  PlannedEvent plan_one(const std::string& name, const KnownEvent& meaning,
                        const CounterPlan::Impl& impl) {
    PlannedEvent event;
    event.requested = name;
    if (std::any_of(impl.events.begin(), impl.events.end(), [&](const PlannedEvent& earlier) {
          return same_name(earlier.requested, name);
        })) {
      event.reason = "requested twice; counted once";
      return event;
    }
    if (impl.slots.size() == CounterSample::max_events) {
      event.reason =
          "a CounterSample holds at most " + std::to_string(CounterSample::max_events) + " events";
      return event;
    }

    std::vector<std::string> steps;
    std::vector<std::pair<std::string, CounterSource>> candidates;
    if (!is_preset(name)) {
      candidates.emplace_back(name, CounterSource::papi_native);
    } else if (options_.mode == CounterMode::presets_off) {
      steps.push_back(name + ": PAPI presets off (chosen by " + options_.mode_origin + ")");
    } else {
      candidates.emplace_back(name, CounterSource::papi_preset);
    }
    if (!meaning.perf_equivalent.empty()) {
      candidates.emplace_back(meaning.perf_equivalent, CounterSource::papi_native);
    }

    if (!papi_refusal_.empty()) {
      steps.push_back("PAPI not used: " + papi_refusal_);
    } else {
      for (const auto& [candidate, source] : candidates) {
        const std::string error = trial_->add(candidate);
        if (error.empty()) {
          event.live = true;
          event.source = source;
          event.counted_by = candidate;
          steps.push_back("counted by " + candidate);
          event.reason = join(steps);
          return event;
        }
        steps.push_back(candidate + ": " + error);
      }
    }

    if (const auto fallback = system_fallback(meaning.quantity)) {
      event.live = true;
      event.source = fallback->source;
      event.counted_by = fallback->counted_by;
      steps.push_back("counted by " + event.counted_by);
    } else {
      steps.push_back(candidates.empty() ? "no perf:: equivalent known"
                                         : "no getrusage() or clock_gettime() equivalent");
    }
    event.reason = join(steps);
    return event;
  }

  void note_quantity(CounterPlan::Impl& impl, const KnownEvent& meaning, std::size_t slot) {
    const int index = static_cast<int>(slot);
    switch (meaning.quantity) {
      case Quantity::instructions:
        if (impl.instructions_slot < 0) impl.instructions_slot = index;
        break;
      case Quantity::cycles:
        if (impl.cycles_slot < 0) impl.cycles_slot = index;
        break;
      case Quantity::cache_misses:
        // Misses furthest from the core say most about memory-boundness, so they win.
        if (impl.cache_misses_slot < 0 || meaning.cache_level > cache_level_) {
          impl.cache_misses_slot = index;
          cache_level_ = meaning.cache_level;
        }
        break;
      default:
        break;
    }
  }

  const CounterOptions& options_;
  detail::PapiEventSet* trial_;
  std::string papi_refusal_;
  int cache_level_ = 0;
};

// plan_with_papi() plans with a trial event set on the calling thread, and plans again without
// PAPI if the chosen events fail to start together.
void plan_with_papi(const CounterOptions& options, CounterPlan::Impl& impl) {
  detail::PapiEventSet trial;
  if (!trial.error().empty()) {
    Planner(options, nullptr, trial.error()).plan(impl);
    return;
  }
  Planner(options, &trial, {}).plan(impl);
  if (impl.papi_names.empty()) return;
  std::string error = trial.start();
  std::array<long long, CounterSample::max_events> values{};
  if (error.empty() && !trial.read(std::span(values.data(), impl.papi_names.size()))) {
    error = "PAPI_read failed";
  }
  trial.stop();
  if (error.empty()) return;
  CounterPlan::Impl fallback;
  fallback.mode = impl.mode;
  fallback.mode_origin = impl.mode_origin;
  fallback.papi = impl.papi;
  fallback.notes = impl.notes;
  Planner(options, nullptr, "the chosen PAPI events do not count together: " + error)
      .plan(fallback);
  impl = std::move(fallback);
}

}  // namespace

CounterPlan::CounterPlan(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

CounterPlan CounterPlan::decide(const CounterOptions& options) {
  auto impl = std::make_shared<Impl>();
  impl->mode = options.mode;
  impl->mode_origin = options.mode_origin;
  if (options.mode == CounterMode::papi_off) {
    impl->papi = "PAPI off (chosen by " + options.mode_origin + ")";
    Planner(options, nullptr, impl->papi).plan(*impl);
    return CounterPlan(std::move(impl));
  }
  const detail::PapiStatus status = detail::papi_status();
  impl->papi = status.description;
  impl->notes = status.notes;
  if (!status.usable) {
    Planner(options, nullptr, status.description).plan(*impl);
    return CounterPlan(std::move(impl));
  }
  plan_with_papi(options, *impl);
  // The trial registered this thread with PAPI; forget it, as ThreadCounters does, so that
  // deciding leaves nothing behind.
  detail::papi_forget_thread();
  return CounterPlan(std::move(impl));
}

const std::vector<PlannedEvent>& CounterPlan::events() const noexcept {
  return impl_->events;
}
std::size_t CounterPlan::live_count() const noexcept {
  return impl_->slots.size();
}
CounterMode CounterPlan::mode() const noexcept {
  return impl_->mode;
}
const std::string& CounterPlan::mode_origin() const noexcept {
  return impl_->mode_origin;
}
const std::string& CounterPlan::papi() const noexcept {
  return impl_->papi;
}
const std::vector<std::string>& CounterPlan::notes() const noexcept {
  return impl_->notes;
}

struct ThreadCounters::State {
  std::shared_ptr<const CounterPlan::Impl> plan;
  // Present only when the plan counts PAPI events, so threads of a PAPI-less plan never
  // touch PAPI.
  std::optional<detail::PapiEventSet> papi;
  std::string error;
};

ThreadCounters::ThreadCounters(const CounterPlan& plan) : state_(std::make_unique<State>()) {
  state_->plan = plan.impl_;
  if (state_->plan->papi_names.empty()) return;
  state_->papi.emplace();
  if (!state_->papi->error().empty()) {
    state_->error = state_->papi->error();
    return;
  }
  for (const std::string& name : state_->plan->papi_names) {
    if (std::string error = state_->papi->add(name); !error.empty()) {
      state_->error = name + ": " + error;
      return;
    }
  }
}

ThreadCounters::~ThreadCounters() {
  if (!state_->papi) return;
  state_->papi.reset();
  detail::papi_forget_thread();
}

std::string ThreadCounters::start() {
  if (!state_->papi || !state_->error.empty()) return state_->error;
  return state_->papi->start();
}

void ThreadCounters::stop() noexcept {
  if (state_->papi) state_->papi->stop();
}

const std::string& ThreadCounters::error() const noexcept {
  return state_->error;
}

CounterSample ThreadCounters::read() noexcept {
  const CounterPlan::Impl& plan = *state_->plan;
  CounterSample sample;
  std::array<long long, CounterSample::max_events> papi_values{};
  const bool papi_read =
      state_->papi && state_->papi->read(std::span(papi_values.data(), plan.papi_names.size()));

  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) == 0) {
    sample.valid |= CounterSample::kRusage;
    sample.voluntary_switches = static_cast<std::uint64_t>(usage.ru_nvcsw);
    sample.involuntary_switches = static_cast<std::uint64_t>(usage.ru_nivcsw);
    sample.minor_faults = static_cast<std::uint64_t>(usage.ru_minflt);
    sample.major_faults = static_cast<std::uint64_t>(usage.ru_majflt);
  }
  timespec now{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now) == 0) {
    sample.valid |= CounterSample::kCpuTime;
    sample.cpu_ns = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000'000u +
                    static_cast<std::uint64_t>(now.tv_nsec);
  }

  std::array<bool, CounterSample::max_events> filled{};
  for (std::size_t i = 0; i < plan.slots.size(); ++i) {
    const Slot& slot = plan.slots[i];
    if (is_papi(slot.source)) {
      filled[i] = papi_read;
      sample.events[i] = static_cast<std::uint64_t>(papi_values[slot.papi_index]);
    } else if (slot.source == CounterSource::thread_clock) {
      filled[i] = sample.has(CounterSample::kCpuTime);
      sample.events[i] = sample.cpu_ns;
    } else if (slot.quantity == Quantity::context_switches) {
      filled[i] = sample.has(CounterSample::kRusage);
      sample.events[i] = sample.voluntary_switches + sample.involuntary_switches;
    } else {
      filled[i] = sample.has(CounterSample::kRusage);
      sample.events[i] = sample.minor_faults + sample.major_faults;
    }
  }
  sample.event_count = static_cast<std::uint32_t>(plan.slots.size());
  if (std::all_of(filled.begin(), filled.begin() + plan.slots.size(), [](bool f) { return f; })) {
    sample.valid |= CounterSample::kEvents;
  }
  const auto copy = [&](int slot, std::uint64_t& field, CounterSample::Field bit) {
    if (slot < 0 || !filled[static_cast<std::size_t>(slot)]) return;
    field = sample.events[static_cast<std::size_t>(slot)];
    sample.valid |= bit;
  };
  copy(plan.instructions_slot, sample.instructions, CounterSample::kInstructions);
  copy(plan.cycles_slot, sample.cycles, CounterSample::kCycles);
  copy(plan.cache_misses_slot, sample.cache_misses, CounterSample::kCacheMisses);
  return sample;
}

}  // namespace switchyard
