// PAPI behind the papi_backend.hpp seam. The only file that includes papi.h.
#include "papi_backend.hpp"

#include <papi.h>
#include <pthread.h>

#include <string_view>

namespace switchyard::detail {

namespace {

struct ErrorName {
  int code;
  std::string_view name;
};

constexpr ErrorName kErrorNames[] = {
    {PAPI_EINVAL, "PAPI_EINVAL"},
    {PAPI_ENOMEM, "PAPI_ENOMEM"},
    {PAPI_ESYS, "PAPI_ESYS"},
    {PAPI_ECMP, "PAPI_ECMP"},
    {PAPI_ECLOST, "PAPI_ECLOST"},
    {PAPI_EBUG, "PAPI_EBUG"},
    {PAPI_ENOEVNT, "PAPI_ENOEVNT"},
    {PAPI_ECNFLCT, "PAPI_ECNFLCT"},
    {PAPI_ENOTRUN, "PAPI_ENOTRUN"},
    {PAPI_EISRUN, "PAPI_EISRUN"},
    {PAPI_ENOEVST, "PAPI_ENOEVST"},
    {PAPI_ENOTPRESET, "PAPI_ENOTPRESET"},
    {PAPI_ENOCNTR, "PAPI_ENOCNTR"},
    {PAPI_EMISC, "PAPI_EMISC"},
    {PAPI_EPERM, "PAPI_EPERM"},
    {PAPI_ENOINIT, "PAPI_ENOINIT"},
    {PAPI_ENOCMP, "PAPI_ENOCMP"},
    {PAPI_ENOSUPP, "PAPI_ENOSUPP"},
    {PAPI_ENOIMPL, "PAPI_ENOIMPL"},
    {PAPI_EBUF, "PAPI_EBUF"},
    {PAPI_EINVAL_DOM, "PAPI_EINVAL_DOM"},
    {PAPI_EATTR, "PAPI_EATTR"},
    {PAPI_ECOUNT, "PAPI_ECOUNT"},
    {PAPI_ECOMBO, "PAPI_ECOMBO"},
    {PAPI_ECMP_DISABLED, "PAPI_ECMP_DISABLED"},
    {PAPI_EDELAY_INIT, "PAPI_EDELAY_INIT"},
    {PAPI_EMULPASS, "PAPI_EMULPASS"},
};

std::string_view error_name(int code) {
  for (const ErrorName& entry : kErrorNames) {
    if (entry.code == code) return entry.name;
  }
  return "PAPI error";
}

// error_text() gives "PAPI_ENOEVNT: Event does not exist" for a PAPI return code.
std::string error_text(int code) {
  std::string text(error_name(code));
  if (const char* message = PAPI_strerror(code)) text += std::string(": ") + message;
  return text;
}

unsigned long thread_id() {
  return static_cast<unsigned long>(pthread_self());
}

std::size_t count_available_presets() {
  std::size_t count = 0;
  int code = PAPI_PRESET_MASK;
  if (PAPI_enum_event(&code, PAPI_ENUM_FIRST) != PAPI_OK) return 0;
  do {
    PAPI_event_info_t info;
    if (PAPI_get_event_info(code, &info) == PAPI_OK && info.count > 0) ++count;
  } while (PAPI_enum_event(&code, PAPI_PRESET_ENUM_AVAIL) == PAPI_OK);
  return count;
}

// count_kernel_too() makes PAPI count in kernel mode as well as user mode, where this process
// may: it tries, with one event set counting perf::CONTEXT-SWITCHES, and goes back to user
// mode if that fails (perf_event_paranoid >= 2 without CAP_PERFMON, which even root in a
// container may lack). True when it stayed in both.
bool count_kernel_too() {
  if (PAPI_set_domain(PAPI_DOM_ALL) != PAPI_OK) return false;
  int set = PAPI_NULL;
  bool counted = false;
  if (PAPI_create_eventset(&set) == PAPI_OK) {
    long long value = 0;
    counted = PAPI_add_named_event(set, "perf::CONTEXT-SWITCHES") == PAPI_OK &&
              PAPI_start(set) == PAPI_OK && PAPI_stop(set, &value) == PAPI_OK;
    PAPI_cleanup_eventset(set);
    PAPI_destroy_eventset(&set);
  }
  if (!counted) PAPI_set_domain(PAPI_DOM_USER);
  return counted;
}

struct Global {
  PapiStatus status;
  // A hint appended to "event does not exist" errors when the machine explains them.
  std::string missing_event_hint;
};

Global initialise() {
  Global global;
  const int version = PAPI_library_init(PAPI_VER_CURRENT);
  if (version != PAPI_VER_CURRENT) {
    global.status.description =
        version > 0 ? "PAPI_library_init: the library's version does not match the headers'"
                    : "PAPI_library_init failed: " + error_text(version);
    return global;
  }
  if (const int rc = PAPI_thread_init(thread_id); rc != PAPI_OK) {
    global.status.description = "PAPI_thread_init failed: " + error_text(rc);
    return global;
  }
  const int full = PAPI_get_opt(PAPI_LIB_VERSION, nullptr);
  global.status.usable = true;
  global.status.description = "PAPI " + std::to_string(PAPI_VERSION_MAJOR(full)) + "." +
                              std::to_string(PAPI_VERSION_MINOR(full)) + "." +
                              std::to_string(PAPI_VERSION_REVISION(full)) + "." +
                              std::to_string(PAPI_VERSION_INCREMENT(full));

  // A context switch happens in the kernel, so counted in user mode only (PAPI's default, and
  // all that perf_event_paranoid >= 2 allows a process without privileges)
  // perf::CONTEXT-SWITCHES reads zero. Where the kernel may be counted too, every event set
  // counts both.
  if (count_kernel_too()) {
    global.status.notes.push_back("PAPI counts in user and kernel mode");
  } else {
    global.status.notes.push_back(
        "PAPI counts in user mode only (the kernel may not be counted here: "
        "perf_event_paranoid >= 2 without CAP_PERFMON): perf::CONTEXT-SWITCHES reads 0; "
        "getrusage() counts the switches instead");
  }
  const PAPI_hw_info_t* hardware = PAPI_get_hardware_info();
  const bool virtualized = hardware != nullptr && hardware->virtualized != 0;
  if (virtualized) {
    global.status.notes.push_back(std::string("PAPI reports a virtual machine (") +
                                  hardware->virtual_vendor_string +
                                  "): hardware events exist only if the hypervisor exposes a PMU");
  }
  if (count_available_presets() == 0) {
    global.status.notes.push_back("PAPI lists no available preset events");
    global.missing_event_hint =
        virtualized ? " (no hardware PMU in this VM?)" : " (no hardware PMU?)";
  }
  if (const int component = PAPI_get_component_index("perf_event"); component >= 0) {
    const PAPI_component_info_t* info = PAPI_get_component_info(component);
    if (info != nullptr && info->disabled != 0) {
      global.status.notes.push_back(std::string("PAPI component perf_event is disabled: ") +
                                    info->disabled_reason);
    }
  } else {
    global.status.notes.push_back("PAPI has no perf_event component: no perf:: events");
  }
  return global;
}

// global() initialises PAPI once per process. PAPI's library and thread state are
// process-global inside PAPI itself (PAPI_library_init may run only once), so this is the one
// piece of static state in Switchyard. It is written once, by the thread-safe initialisation
// of a function-local static (the language's call_once), and only read afterwards.
const Global& global() {
  static const Global state = initialise();
  return state;
}

}  // namespace

PapiStatus papi_status() {
  return global().status;
}

PapiEventSet::PapiEventSet() {
  if (!global().status.usable) {
    error_ = global().status.description;
    return;
  }
  if (const int rc = PAPI_create_eventset(&handle_); rc != PAPI_OK) {
    handle_ = PAPI_NULL;
    error_ = "PAPI_create_eventset failed: " + error_text(rc);
  }
}

PapiEventSet::~PapiEventSet() {
  if (handle_ == PAPI_NULL) return;
  stop();
  PAPI_cleanup_eventset(handle_);
  PAPI_destroy_eventset(&handle_);
}

std::string PapiEventSet::add(const std::string& name) {
  if (handle_ == PAPI_NULL) return error_;
  int code = PAPI_NULL;
  if (const int rc = PAPI_event_name_to_code(name.c_str(), &code); rc != PAPI_OK) {
    return error_text(rc) + (rc == PAPI_ENOEVNT ? global().missing_event_hint : std::string());
  }
  if (const int rc = PAPI_add_event(handle_, code); rc != PAPI_OK) {
    return error_text(rc) + (rc == PAPI_ENOEVNT ? global().missing_event_hint : std::string());
  }
  return {};
}

std::string PapiEventSet::start() {
  if (handle_ == PAPI_NULL) return error_;
  if (const int rc = PAPI_start(handle_); rc != PAPI_OK) return "PAPI_start: " + error_text(rc);
  running_ = true;
  return {};
}

bool PapiEventSet::read(std::span<long long> values) noexcept {
  return running_ && PAPI_read(handle_, values.data()) == PAPI_OK;
}

void PapiEventSet::stop() noexcept {
  if (!running_) return;
  PAPI_stop(handle_, nullptr);
  running_ = false;
}

void papi_forget_thread() noexcept {
  if (global().status.usable) PAPI_unregister_thread();
}

}  // namespace switchyard::detail
