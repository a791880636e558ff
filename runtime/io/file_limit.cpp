#include "io/file_limit.hpp"

#include <sys/resource.h>

namespace switchyard::detail {

Report::FileLimit raise_open_file_limit() noexcept {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return {};
  Report::FileLimit result{lim.rlim_cur, lim.rlim_cur};
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) == 0) result.now = lim.rlim_cur;
  }
  return result;
}

}  // namespace switchyard::detail
