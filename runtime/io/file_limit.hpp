// The process's open-file limit.
#pragma once

#include <switchyard/report.hpp>

namespace switchyard::detail {

// raise_open_file_limit() raises the soft RLIMIT_NOFILE to the hard limit (ten thousand
// connections need twenty thousand descriptors in a process that is both ends) and returns
// the limit before and after. Never throws; on failure both figures are what it found.
Report::FileLimit raise_open_file_limit() noexcept;

}  // namespace switchyard::detail
