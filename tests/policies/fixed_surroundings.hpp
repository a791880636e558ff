// FixedSurroundings: a runtime as a policy sees it, with set load and machine, for the
// policies tests.
#pragma once

#include <switchyard/surroundings.hpp>

namespace switchyard::test {

class FixedSurroundings final : public Surroundings {
 public:
  LoadView load() const noexcept override { return load_view; }
  const MachineModel* machine() const noexcept override { return model; }

  LoadView load_view;
  const MachineModel* model = nullptr;
};

}  // namespace switchyard::test
