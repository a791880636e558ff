// RuntimeCore's calibration: the machine model its policies consult, measured in the
// background or on demand, with the hand-offs to this runtime's own pools.
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "core/handoff_measure.hpp"
#include "core/runtime_core.hpp"

namespace switchyard::detail {

void RuntimeCore::calibrate_in_background() noexcept {
  try {
    calibrate(false);
  } catch (const std::exception& error) {
    std::lock_guard lk(calibration_mutex_);
    calibration_failure_ = error.what();
  } catch (...) {
    std::lock_guard lk(calibration_mutex_);
    calibration_failure_ = "an unknown exception";
  }
}

Calibration RuntimeCore::calibrate(bool recalibrate) {
  if (on_own_worker()) {
    throw std::logic_error("switchyard: Runtime::calibrate() called from one of its own tasks");
  }
  CalibrationOptions options;
  options.switchyard_version = SWITCHYARD_VERSION;
  options.recalibrate = recalibrate;
  for (const Placement pool : {Placement::cpu, Placement::blocking}) {
    options.measures.emplace(handoff_figure(pool), handoff_measure(*this, calibration_kind_, pool));
  }
  Calibration result = switchyard::calibrate(topology_, options);
  // Shards on other ranks of an MPI job cost what their transport measured, this run: not
  // what a process on this machine does, and not for the cache.
  if (shards_) {
    if (const std::optional<double> ns = shards_->round_trip_ns(std::chrono::seconds(1))) {
      result.model.process_round_trip_ns =
          Figure::measured(*ns, "round trip to another rank of the MPI job, median of pings");
    }
  }
  std::lock_guard lk(calibration_mutex_);
  if (!calibration_) {
    calibration_ = std::make_unique<const Calibration>(result);
    machine_.store(&calibration_->model, std::memory_order_release);
  }
  return result;
}

}  // namespace switchyard::detail
