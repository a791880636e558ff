#include <switchyard/runtime.hpp>

#include <exception>
#include <stdexcept>
#include <string>

#include "core/late_shutdown.hpp"
#include "core/runtime_core.hpp"
#include "metrics/metrics_endpoint.hpp"

namespace switchyard {

Runtime::Runtime() : Runtime(Config::discover()) {}

Runtime::Runtime(Config config)
    : impl_(std::make_unique<detail::RuntimeCore>(std::move(config), nullptr)) {
  start_metrics();
}

Runtime::Runtime(Config config, std::unique_ptr<Policy> policy)
    : impl_(std::make_unique<detail::RuntimeCore>(std::move(config), std::move(policy))) {
  start_metrics();
}

Runtime::~Runtime() {
  metrics_.reset();  // it reads the runtime: gone before the runtime is
  if (impl_ && impl_->on_own_worker()) detail::shut_down_later(std::move(impl_));
}

void Runtime::start_metrics() {
  const std::string& address = impl_->config().profiling.metrics;
  if (address.empty()) return;
  try {
    metrics_ = std::make_unique<detail::MetricsEndpoint>(*impl_, address);
  } catch (const std::exception& e) {
    throw std::runtime_error("switchyard: profiling.metrics = \"" + address +
                             "\": cannot serve metrics there: " + e.what());
  }
}

const std::string& Runtime::metrics_address() const noexcept {
  static const std::string off;
  return metrics_ ? metrics_->address() : off;
}

void detail::check_spawn_hint(const Hint& hint) {
  if (hint.placement == Placement::shard) {
    throw std::invalid_argument(
        "switchyard: spawn() cannot place a callable in a shard: shards run registered tasks "
        "only (SWITCHYARD_TASK); callables run in this process");
  }
}

void Runtime::enqueue(std::string_view kind, const Hint& hint, detail::TaskBody* task) noexcept {
  impl_->submit(kind, hint, task);
}

void Runtime::enqueue(std::string_view kind, const Hint& hint, detail::RegisteredCall& call) {
  impl_->submit(kind, hint, call);
}

ShutdownSummary Runtime::shutdown(std::chrono::milliseconds grace) {
  return impl_->shutdown(grace);
}

Calibration Runtime::calibrate(bool recalibrate) {
  return impl_->calibrate(recalibrate);
}

Report Runtime::report() const {
  return impl_->report();
}

const Config& Runtime::config() const noexcept {
  return impl_->config();
}

const Topology& Runtime::topology() const noexcept {
  return impl_->topology();
}

}  // namespace switchyard
