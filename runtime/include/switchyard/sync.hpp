// sync.hpp: the synchronization primitives that tasks and plain threads share.
#pragma once

#include <switchyard/condition_variable.hpp>
#include <switchyard/event.hpp>
#include <switchyard/latch.hpp>
#include <switchyard/mutex.hpp>
#include <switchyard/semaphore.hpp>
#include <switchyard/shared_mutex.hpp>
