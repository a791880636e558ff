// Spinlock: public since the synchronization primitives' headers hold one; see its header.
#pragma once

#include <switchyard/detail/spinlock.hpp>
