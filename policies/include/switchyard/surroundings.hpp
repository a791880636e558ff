// Surroundings: what a policy may consult besides the kind it is placing.
#pragma once

#include <switchyard/load_view.hpp>
#include <switchyard/machine_model.hpp>

namespace switchyard {

// Surroundings is the runtime as a policy sees it while deciding: the executors' load and the
// calibrated machine. The runtime implements it; tests supply their own. Both members may be
// called from any thread and never block for long.
class Surroundings {
 public:
  virtual ~Surroundings() = default;
  // load() is how busy the executors are: a snapshot, at most a few milliseconds old. Cheap.
  virtual LoadView load() const noexcept = 0;
  // machine() is the calibrated MachineModel, or nullptr while calibration runs (or when it
  // is off). Once non-null it stays the same object for the runtime's life.
  virtual const MachineModel* machine() const noexcept = 0;
};

}  // namespace switchyard
