#include "connection_pool.hpp"

#include <stdexcept>

namespace switchyard::bench {

void ConnectionPool::add(BlockingConnection connection) {
  {
    const std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
    ++live_;
  }
  returned_.notify_one();
}

BlockingConnection ConnectionPool::borrow() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [this] { return !idle_.empty() || live_ == 0; });
  if (idle_.empty()) throw std::runtime_error("every pooled connection failed");
  BlockingConnection connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void ConnectionPool::give_back(BlockingConnection connection) {
  {
    const std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  returned_.notify_one();
}

void ConnectionPool::drop() noexcept {
  {
    const std::lock_guard lock(mutex_);
    --live_;
  }
  // Waiters must learn when the last connection is gone.
  returned_.notify_all();
}

}  // namespace switchyard::bench
