// Counters: which hardware and software counters this process can read (CounterPlan, decided
// once at start-up) and reading them on one thread (ThreadCounters).
#pragma once

#include <switchyard/counter_sample.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard {

// CounterMode: where the fallback chain starts. Forcing a later start lets tests and users
// see how the runtime behaves on machines without a PMU or without PAPI.
enum class CounterMode {
  automatic,    // PAPI presets, then PAPI perf:: events, then getrusage()/clock_gettime()
  presets_off,  // PAPI perf:: events, then getrusage()/clock_gettime()
  papi_off,     // getrusage()/clock_gettime() only; PAPI is not even initialised
};

// to_string() spells a mode as SWITCHYARD_COUNTERS does: "auto", "presets-off", "papi-off".
// Never blocks; any thread.
std::string_view to_string(CounterMode mode) noexcept;

// default_counter_events() lists what a plan tries unless told otherwise: instructions,
// cycles, L1 data and L2 misses, context switches and task clock. Never blocks; any thread.
std::vector<std::string> default_counter_events();

// CounterOptions: what a CounterPlan tries, and how far down the chain it starts.
struct CounterOptions {
  // events: PAPI preset names (PAPI_TOT_INS), PAPI native names (perf::TASK-CLOCK), in the
  // order their values appear in CounterSample::events.
  std::vector<std::string> events = default_counter_events();
  CounterMode mode = CounterMode::automatic;
  // mode_origin says who chose `mode`; the plan quotes it in its reasons.
  std::string mode_origin = "CounterOptions";

  // from_environment() gives the defaults with the mode from SWITCHYARD_COUNTERS ("auto",
  // "presets-off" or "papi-off"); an unknown value keeps automatic and says so in
  // mode_origin. Reads getenv(), so not while another thread calls setenv(); never blocks.
  static CounterOptions from_environment();
};

// CounterSource: what counts a live event.
enum class CounterSource {
  none,          // nothing: the event is not live
  papi_preset,   // a PAPI preset event (PAPI_TOT_INS)
  papi_native,   // a PAPI native event, in practice Linux perf's (perf::CONTEXT-SWITCHES)
  rusage,        // getrusage(RUSAGE_THREAD)
  thread_clock,  // clock_gettime(CLOCK_THREAD_CPUTIME_ID)
};

// to_string() names a source for reports ("papi-preset", "rusage", ...). Never blocks; any
// thread.
std::string_view to_string(CounterSource source) noexcept;

// PlannedEvent: the plan's answer for one requested event.
struct PlannedEvent {
  std::string requested;  // the name asked for
  bool live = false;
  CounterSource source = CounterSource::none;
  std::string counted_by;  // what counts it when live: a PAPI event name, or the system call
  std::string reason;      // each step of the chain that failed, and what counts it or why none
  std::size_t slot = 0;    // its index in CounterSample::events, when live
};

// CounterPlan: which of the requested events this process can count and how, decided once at
// start-up by trying them, so that every thread afterwards counts the same events with no
// trial and error. Cheap to copy (copies share the decision); immutable, so any thread may
// read it, and its accessors never block.
class CounterPlan {
 public:
  // decide() walks the fallback chain for every requested event: a PAPI preset, then the
  // PAPI perf:: event that counts the same thing, then getrusage()/clock_gettime() where they
  // have an equivalent. The first call in a process initialises PAPI. Blocks for a few
  // milliseconds (it opens and starts trial counters on the calling thread); call from any
  // thread that has no live ThreadCounters. Never throws for a missing counter or library:
  // the reasons say what is missing.
  static CounterPlan decide(const CounterOptions& options = CounterOptions::from_environment());

  // events() has one entry per requested event, in the requested order.
  const std::vector<PlannedEvent>& events() const noexcept;
  // live_count() counts the live events, at most CounterSample::max_events.
  std::size_t live_count() const noexcept;
  // mode() and mode_origin() are the options' mode and who chose it.
  CounterMode mode() const noexcept;
  const std::string& mode_origin() const noexcept;
  // papi() is "PAPI 7.0.0.0" when PAPI initialised, else why it is not used.
  const std::string& papi() const noexcept;
  // notes() are remarks about the whole machine that explain missing events (a virtual
  // machine, a disabled perf_event component).
  const std::vector<std::string>& notes() const noexcept;

  struct Impl;

 private:
  friend class ThreadCounters;
  explicit CounterPlan(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// ThreadCounters: the counters of the thread that creates it, following a plan. Create, start,
// read and stop it on that one thread. At most one may be alive per thread at a time: it
// registers the thread with PAPI and unregisters it on destruction, so that short-lived
// threads do not leak PAPI's per-thread records.
class ThreadCounters {
 public:
  // ThreadCounters() opens the plan's PAPI events for the calling thread. Blocks for a few
  // system calls. Does not throw for counters that fail to open here: error() says why, and
  // read() still gives the getrusage()/clock_gettime() fields.
  explicit ThreadCounters(const CounterPlan& plan);
  // ~ThreadCounters() stops and closes the counters. Call on the owning thread.
  ~ThreadCounters();
  ThreadCounters(const ThreadCounters&) = delete;
  ThreadCounters& operator=(const ThreadCounters&) = delete;

  // start() starts the PAPI events from zero. Returns an empty string, or why they could not
  // start (read() then gives the other fields). Owning thread only; a few system calls.
  std::string start();

  // read() samples every live event and the getrusage()/clock_gettime() fields. Owning
  // thread only; never blocks beyond three system calls. Measured on a 2-core KVM guest (AMD
  // EPYC, Linux 6.x, PAPI 7.0, no PMU; median of 5 x 200k calls): 1.9 us with two perf::
  // software events live, of which PAPI_read 0.87 us, clock_gettime(CLOCK_THREAD_CPUTIME_ID)
  // 0.52 us (a system call: the vDSO does not serve thread clocks) and getrusage(RUSAGE_THREAD)
  // 0.30 us; 0.87 us with PAPI off. Fine for sampled tasks, too dear for every switch of a
  // 100 ns fiber.
  CounterSample read() noexcept;

  // stop() stops the PAPI events; read() afterwards gives only the other fields. Owning
  // thread only; a few system calls.
  void stop() noexcept;

  // error() says why PAPI events are not counting on this thread, or is empty.
  const std::string& error() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace switchyard
