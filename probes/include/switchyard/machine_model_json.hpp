// MachineModel as JSON, written the same way by the calibration cache and by
// switchyard-probe --json (docs/probe.md). Templated on the nlohmann JSON type, so that each
// picks its own: the cache nlohmann::json, the tool nlohmann::ordered_json (its keys in the
// documented order). Include <nlohmann/json.hpp> before using them.
#pragma once

#include <switchyard/machine_model.hpp>
#include <switchyard/machine_signature.hpp>

#include <string>
#include <utility>

namespace switchyard {

// to_json() writes a signature as {"cpu_model", "cores", "hardware_threads",
// "kernel_release", "switchyard_version"}. nlohmann finds it by argument-dependent lookup, so
// `Json json = signature;` works for any nlohmann JSON type. Never blocks; any thread.
template <class Json>
void to_json(Json& json, const MachineSignature& signature) {
  json = Json{{"cpu_model", signature.cpu_model},
              {"cores", signature.cores},
              {"hardware_threads", signature.hardware_threads},
              {"kernel_release", signature.kernel_release},
              {"switchyard_version", signature.switchyard_version}};
}

// FigureDetail: how much figures_to_json() says about each figure.
enum class FigureDetail {
  cache,   // "value" (null when not measured) and "note": what the cache stores
  report,  // also "unit", "source" and "meaning", as switchyard-probe reports them
};

// figures_to_json() is every figure of `model` (figure_fields(), in that order), keyed by its
// name. Never blocks; any thread.
template <class Json>
Json figures_to_json(const MachineModel& model, FigureDetail detail) {
  const bool report = detail == FigureDetail::report;
  Json figures = Json::object();
  for (const FigureField& field : figure_fields()) {
    const Figure& figure = model.*field.member;
    Json entry = Json::object();
    entry["value"] = figure.value ? Json(*figure.value) : Json(nullptr);
    if (report) {
      entry["unit"] = field.unit;
      entry["source"] = to_string(figure.source);
    }
    entry["note"] = figure.note;
    if (report) entry["meaning"] = field.meaning;
    figures[std::string(field.name)] = std::move(entry);
  }
  return figures;
}

}  // namespace switchyard
