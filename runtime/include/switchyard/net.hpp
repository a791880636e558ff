// net.hpp: fiber-aware TCP.
#pragma once

#include <switchyard/net/error.hpp>
#include <switchyard/net/listener.hpp>
#include <switchyard/net/socket.hpp>
