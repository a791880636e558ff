// detail::RegisteredCall and detail::RemoteResult: one call of a registered task, before and
// after the runtime decides whether it runs in this process or in a shard.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <cereal/archives/binary.hpp>

#include <switchyard/detail/bounded_archive.hpp>
#include <switchyard/detail/byte_stream.hpp>
#include <switchyard/detail/pending_outcome.hpp>
#include <switchyard/detail/shared_state.hpp>
#include <switchyard/detail/task_body.hpp>
#include <switchyard/detail/task_table.hpp>
#include <switchyard/errors.hpp>

namespace switchyard::detail {

// encode_values() appends the cereal binary encoding of `values`, in order, to `out`.
template <class... T>
void encode_values(std::string& out, const T&... values) {
  if constexpr (sizeof...(T) > 0) {
    StringSink sink(out);
    std::ostream stream(&sink);
    cereal::BinaryOutputArchive archive(stream);
    archive(values...);
  }
}

// decode_values() fills `values` from `bytes`, which must hold exactly their encoding (a call's
// arguments, or a result), and come from another process: no length in them is trusted
// (BoundedInputArchive). Throws BadArguments.
template <class... T>
void decode_values(std::string_view bytes, T&... values) {
  BoundedInputArchive archive(bytes);
  if constexpr (sizeof...(T) > 0) {
    try {
      archive(values...);
    } catch (const std::exception& e) {
      throw BadArguments(e.what());
    }
  }
  if (archive.remaining() != 0) {
    throw BadArguments(std::to_string(archive.remaining()) + " bytes left over");
  }
}

// RemoteResult is the caller's end of a call sent to a shard, driven like a TaskBody: the
// runtime hands it the shard's answer (accept) or an error (reject), folds the call's
// measurement into its kind, then publish()es it to the future.
class RemoteResult {
 public:
  virtual ~RemoteResult() = default;
  // accept() decodes the result bytes of a `task` call. Returns false when they do not
  // decode: that becomes the error.
  virtual bool accept(std::string_view payload, std::string_view task) noexcept = 0;
  virtual void reject(std::exception_ptr error) noexcept = 0;
  virtual bool failed() const noexcept = 0;
  virtual void publish() noexcept = 0;
  // release() drops the runtime's reference.
  virtual void release() noexcept = 0;
};

// RemoteResultOf<R> is the future's state and the RemoteResult in one allocation; it starts
// with two references, the Future's and the runtime's.
template <class R>
class RemoteResultOf final : public SharedState<R>, public RemoteResult {
 public:
  RemoteResultOf() { this->add_ref(); }

  bool accept(std::string_view payload, std::string_view task) noexcept override {
    try {
      if constexpr (std::is_void_v<R>) {
        decode_values(payload);
        outcome_.set_value();
      } else {
        R value{};
        decode_values(payload, value);
        outcome_.set_value(std::move(value));
      }
      return true;
    } catch (const std::exception& e) {
      try {
        outcome_.set_error(std::make_exception_ptr(
            ShardCallRejected("switchyard: the result of a '" + std::string(task) +
                              "' call from a shard did not decode: " + e.what())));
      } catch (...) {
        outcome_.set_error(std::current_exception());
      }
      return false;
    }
  }
  void reject(std::exception_ptr error) noexcept override { outcome_.set_error(std::move(error)); }
  bool failed() const noexcept override { return outcome_.failed(); }
  void publish() noexcept override { outcome_.publish_to(*this); }
  void release() noexcept override { SharedState<R>::release(); }

 private:
  PendingOutcome<R> outcome_;
};

// RegisteredCall is one call of a registered task, its arguments already converted to the
// task's parameter types. The runtime turns it into exactly one of a local task body or a
// remote call; either way state() is then the future's state.
class RegisteredCall {
 public:
  virtual ~RegisteredCall() = default;
  // make_local() moves the arguments into a task body that calls the function here.
  virtual TaskBody* make_local() = 0;
  // make_remote() encodes the arguments into `arguments` and makes the caller's end.
  virtual RemoteResult* make_remote(std::string& arguments) = 0;
};

}  // namespace switchyard::detail
