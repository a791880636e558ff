// ByteQueue: bytes added at the back and taken from the front, in linear time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace switchyard::detail {

// ByteQueue holds bytes on their way: written and not yet sent, or read and not yet parsed.
// Taking from the front moves an offset; the bytes behind it move only when the taken ones
// outnumber them, so each byte moves at most once per halving of the queue, and a 200 MiB
// frame leaving in socket-sized pieces costs linear time instead of a shift per piece. The
// storage of a large frame is given back once the queue empties. Not thread-safe.
class ByteQueue {
 public:
  // append() adds `bytes` at the back. Throws std::bad_alloc.
  void append(std::string_view bytes) { buffer_.append(bytes); }
  // front() is the bytes not yet taken; valid until the next change.
  std::string_view front() const noexcept { return std::string_view(buffer_).substr(start_); }
  // size() is how many bytes are not yet taken.
  std::size_t size() const noexcept { return buffer_.size() - start_; }
  // empty() is whether every byte was taken.
  bool empty() const noexcept { return start_ == buffer_.size(); }
  // take() drops the first `n` bytes; `n` is at most size().
  void take(std::size_t n) noexcept {
    start_ += n;
    if (start_ == buffer_.size()) {
      clear();
    } else if (start_ > buffer_.size() / 2) {
      buffer_.erase(0, start_);
      start_ = 0;
    }
  }
  // clear() drops every byte.
  void clear() noexcept {
    if (buffer_.capacity() > kKeptCapacity) {
      std::string().swap(buffer_);
    } else {
      buffer_.clear();
    }
    start_ = 0;
  }

 private:
  // The storage an empty queue keeps, so that ordinary frames reuse it.
  static constexpr std::size_t kKeptCapacity = std::size_t{1} << 20;

  std::string buffer_;
  std::size_t start_ = 0;
};

}  // namespace switchyard::detail
