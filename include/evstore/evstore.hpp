#pragma once
// The public API in one include.

#include "evstore/aws/config.hpp"
#include "evstore/store/atomic_append.hpp"
#include "evstore/store/diagnostics.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event.hpp"
#include "evstore/store/repo.hpp"
