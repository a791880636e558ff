// ScopedEnvironment: one environment variable set for a test, shared by every layer's tests.
#pragma once

#include <stdlib.h>

#include <optional>
#include <string>

namespace switchyard::test {

// ScopedEnvironment sets (or, with a null value, unsets) one environment variable for its
// lifetime and restores what was there before. Not thread-safe: the environment is not.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnvironment() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace switchyard::test
