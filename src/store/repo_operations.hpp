#pragma once
// The repo operations implemented beside repo.cpp (stream reads, snapshots, migrate), on the
// shared state so that they outlive the repo object.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "evstore/store/repo.hpp"

namespace evstore {

class repo_state;

boost::asio::awaitable<std::vector<event>> read_stream_events(std::shared_ptr<repo_state> state,
                                                              std::string domain,
                                                              std::string identifier,
                                                              stream_read_options options);

boost::asio::awaitable<bool> store_snapshot(std::shared_ptr<repo_state> state, snapshot value);
boost::asio::awaitable<std::optional<snapshot>> load_snapshot(std::shared_ptr<repo_state> state,
                                                              std::string domain,
                                                              std::string identifier);

boost::asio::awaitable<migrate_progress> migrate_table(std::shared_ptr<repo_state> state,
                                                       migrate_options options);

}  // namespace evstore
