// ConnectionPool: persistent blocking connections lent out one caller at a time.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

#include "blocking_connection.hpp"

namespace switchyard::bench {

// ConnectionPool is the pool of a blocking client library: a caller that finds every
// connection lent out waits on a std::condition_variable, blocking its thread, which is the
// behaviour the runtime has to notice. It cannot deadlock fibers: a borrower never suspends
// while it holds a connection (its I/O blocks the thread instead), so every lent connection
// comes back without needing a thread some waiter is blocking. All members may be called from
// any thread.
class ConnectionPool {
 public:
  // add() puts a connection into the pool.
  void add(BlockingConnection connection);

  // use() borrows a connection (waiting while all are lent), calls fn(connection) and gives
  // the connection back. If fn throws, the connection is closed instead, since its state is
  // unknown, and the exception propagates. Throws std::runtime_error once no connection is
  // left, so that callers fail rather than wait forever.
  template <class F>
  auto use(F&& fn) {
    BlockingConnection connection = borrow();
    try {
      auto result = std::forward<F>(fn)(connection);
      give_back(std::move(connection));
      return result;
    } catch (...) {
      drop();
      throw;
    }
  }

 private:
  BlockingConnection borrow();
  void give_back(BlockingConnection connection);
  void drop() noexcept;

  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<BlockingConnection> idle_;
  std::size_t live_ = 0;  // idle or lent
};

}  // namespace switchyard::bench
