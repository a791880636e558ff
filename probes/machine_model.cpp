// MachineModel's figure table and MachineSignature.
#include <switchyard/machine_model.hpp>
#include <switchyard/machine_signature.hpp>
#include <switchyard/topology.hpp>

#include <sys/utsname.h>

#include <array>
#include <utility>

namespace switchyard {

namespace {

constexpr std::array<FigureField, 8> kFigureFields = {{
    {"fiber_switch_ns", "ns", "Boost.Fiber yield between two fibers on one thread",
     &MachineModel::fiber_switch_ns},
    {"fiber_spawn_join_ns", "ns", "start a Boost.Fiber fiber and join it",
     &MachineModel::fiber_spawn_join_ns},
    {"cpu_pool_handoff_ns", "ns", "submit to the CPU pool and get the result back",
     &MachineModel::cpu_pool_handoff_ns},
    {"blocking_pool_handoff_ns", "ns", "submit to the blocking pool and get the result back",
     &MachineModel::blocking_pool_handoff_ns},
    {"process_round_trip_ns", "ns", "1-byte ping-pong with another process over a socketpair",
     &MachineModel::process_round_trip_ns},
    {"serialize_ns_per_byte", "ns/B", "length-prefixed frame of a 64 KiB payload, per byte",
     &MachineModel::serialize_ns_per_byte},
    {"syscall_ns", "ns", "one system call, syscall(SYS_getppid)", &MachineModel::syscall_ns},
    {"spin_iters_per_second_per_core", "iter/s", "spin() kernel iterations on one core",
     &MachineModel::spin_iters_per_second_per_core},
}};

}  // namespace

std::string_view to_string(FigureSource source) noexcept {
  switch (source) {
    case FigureSource::measured:
      return "measured";
    case FigureSource::cached:
      return "cached";
    case FigureSource::not_measured:
      break;
  }
  return "not-measured";
}

Figure Figure::measured(double value, std::string note) {
  return Figure{value, FigureSource::measured, std::move(note)};
}

Figure Figure::missing(std::string why) {
  return Figure{std::nullopt, FigureSource::not_measured, std::move(why)};
}

std::span<const FigureField> figure_fields() noexcept {
  return kFigureFields;
}

const FigureField* find_figure_field(std::string_view name) noexcept {
  for (const FigureField& field : kFigureFields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

MachineSignature MachineSignature::of(const Topology& topology, std::string switchyard_version) {
  MachineSignature signature;
  signature.cpu_model = topology.cpu_model();
  signature.cores = topology.core_count();
  signature.hardware_threads = topology.hardware_threads();
  struct utsname names {};
  signature.kernel_release = uname(&names) == 0 ? names.release : "unknown";
  signature.switchyard_version = std::move(switchyard_version);
  return signature;
}

std::string MachineSignature::differences(const MachineSignature& other) const {
  std::string text;
  const auto differ = [&text](std::string_view name, const std::string& mine,
                              const std::string& theirs) {
    if (mine == theirs) return;
    if (!text.empty()) text += "; ";
    text += std::string(name) + " " + theirs + " -> " + mine;
  };
  differ("cpu_model", cpu_model, other.cpu_model);
  differ("cores", std::to_string(cores), std::to_string(other.cores));
  differ("hardware_threads", std::to_string(hardware_threads),
         std::to_string(other.hardware_threads));
  differ("kernel_release", kernel_release, other.kernel_release);
  differ("switchyard_version", switchyard_version, other.switchyard_version);
  return text;
}

}  // namespace switchyard
