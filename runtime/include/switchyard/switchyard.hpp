// switchyard.hpp: everything a program needs to use Switchyard.
#pragma once

#include <switchyard/channel.hpp>
#include <switchyard/config.hpp>
#include <switchyard/deadline.hpp>
#include <switchyard/errors.hpp>
#include <switchyard/future.hpp>
#include <switchyard/hint.hpp>
#include <switchyard/io.hpp>
#include <switchyard/log.hpp>
#include <switchyard/net.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/registered_task.hpp>
#include <switchyard/report.hpp>
#include <switchyard/runtime.hpp>
#include <switchyard/sync.hpp>
#include <switchyard/task_group.hpp>
#include <switchyard/task_local.hpp>
#include <switchyard/this_task.hpp>
#include <switchyard/when_any.hpp>
#include <switchyard/with_timeout.hpp>
