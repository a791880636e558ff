// The seam between the counter plan and PAPI. papi_counters.cpp implements it with PAPI;
// no_papi_counters.cpp, built when PAPI is not found or disabled, says that it is missing.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace switchyard::detail {

// PapiStatus: what initialising PAPI found, for the whole process.
struct PapiStatus {
  bool usable = false;
  std::string description;         // "PAPI 7.0.0.0", or why PAPI cannot be used
  std::vector<std::string> notes;  // machine-wide remarks that explain missing events
};

// papi_status() initialises PAPI on the first call in the process and reports the outcome.
// Blocks for the initialisation (milliseconds) on the first call; any thread.
PapiStatus papi_status();

// PapiEventSet: a PAPI event set counting the thread that created it. Use it only on that
// thread. Every failure comes back as text naming the PAPI error.
class PapiEventSet {
 public:
  // PapiEventSet() creates an empty event set; error() says why, if it could not.
  PapiEventSet();
  // ~PapiEventSet() stops, empties and destroys the set.
  ~PapiEventSet();
  PapiEventSet(const PapiEventSet&) = delete;
  PapiEventSet& operator=(const PapiEventSet&) = delete;

  // add() adds one event by name; returns an empty string, or why not.
  std::string add(const std::string& name);
  // start() starts counting from zero; returns an empty string, or why not.
  std::string start();
  // read() writes the running counts, in add() order, into `values`. Never blocks beyond one
  // system call per event group.
  bool read(std::span<long long> values) noexcept;
  // stop() stops counting, if running.
  void stop() noexcept;
  // error() says why the set could not be created, or is empty.
  const std::string& error() const noexcept { return error_; }

 private:
  int handle_ = -1;
  bool running_ = false;
  std::string error_;
};

// papi_forget_thread() tells PAPI that the calling thread's counters are gone, freeing its
// per-thread record. Call only when the thread has no other event set.
void papi_forget_thread() noexcept;

}  // namespace switchyard::detail
