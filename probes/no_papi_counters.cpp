// The papi_backend.hpp seam for builds without PAPI: every PAPI step reports that it is
// missing, so plans fall through to getrusage()/clock_gettime() and say why.
#include "papi_backend.hpp"

namespace switchyard::detail {

namespace {

constexpr const char* kWhy =
    "built without PAPI (meson option papi disabled, or libpapi not found)";

}  // namespace

PapiStatus papi_status() {
  return PapiStatus{false, kWhy, {}};
}

PapiEventSet::PapiEventSet() : error_(kWhy) {}

PapiEventSet::~PapiEventSet() = default;

std::string PapiEventSet::add(const std::string&) {
  return error_;
}

std::string PapiEventSet::start() {
  return error_;
}

// Nothing here ever starts, so no set is running and this is always false.
bool PapiEventSet::read(std::span<long long>) noexcept {
  return running_ && handle_ >= 0;
}

void PapiEventSet::stop() noexcept {}

void papi_forget_thread() noexcept {}

}  // namespace switchyard::detail
