#include <cassert>
#include <string>
#include <utility>

#include <switchyard/config.hpp>

namespace switchyard {
namespace {

std::string join_lines(const std::vector<ConfigProblem>& problems) {
  std::string text;
  for (const ConfigProblem& p : problems) {
    if (!text.empty()) text += '\n';
    text += p.to_string();
  }
  return text;
}

}  // namespace

std::string ConfigProblem::to_string() const {
  std::string text = file;
  if (line != 0) {
    text += ':' + std::to_string(line) + ':' + std::to_string(column);
  }
  text += ": ";
  if (!key.empty()) {
    text += key;
    if (!value.empty()) text += " = " + value;
    text += ": ";
  }
  text += reason;
  return text;
}

ConfigError::ConfigError(std::vector<ConfigProblem> problems)
    : std::runtime_error(join_lines(problems)),
      problems_(std::make_shared<const std::vector<ConfigProblem>>(std::move(problems))) {
  assert(!problems_->empty());
}

}  // namespace switchyard
