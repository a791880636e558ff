#include "move_counter.hpp"

#include <algorithm>
#include <utility>

namespace switchyard::bench {

MoveCounter::MoveCounter(const Runtime& runtime, std::chrono::microseconds period)
    : runtime_(runtime), thread_([this, period] { main(period); }) {}

MoveCounter::~MoveCounter() {
  if (thread_.joinable()) {
    {
      std::lock_guard lk(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
}

nlohmann::ordered_json MoveCounter::finish() {
  {
    std::lock_guard lk(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  poll();
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [kind, count] : counts_) {
    out[kind] = {{"moves", count.moves}, {"exact", count.exact}};
  }
  return out;
}

void MoveCounter::main(std::chrono::microseconds period) {
  std::unique_lock lk(mutex_);
  while (!cv_.wait_for(lk, period, [this] { return stop_; })) {
    lk.unlock();
    poll();
    lk.lock();
  }
}

void MoveCounter::poll() {
  for (const Report::KindReport& k : runtime_.report().kinds) {
    if (k.history.empty()) continue;
    Count& count = counts_[k.name];
    // Changes are kept in the order they happened, so the new ones are a suffix.
    const auto first_new =
        std::find_if(k.history.begin(), k.history.end(),
                     [&](const Report::PlacementChange& c) { return c.at > count.last; });
    if (first_new == k.history.begin() && k.history.size() >= kReportHistory) {
      count.exact = false;  // a full history, all of it new: older ones may have gone unseen
    }
    count.moves += static_cast<std::uint64_t>(k.history.end() - first_new);
    count.last = k.history.back().at;
  }
}

}  // namespace switchyard::bench
