// detail::BoundedInputArchive: cereal's binary encoding read back from bytes that came from
// another process, trusting none of the lengths in them.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <cereal/archives/binary.hpp>
#include <cereal/cereal.hpp>

namespace switchyard::detail {

// BoundedInputArchive reads what cereal::BinaryOutputArchive wrote, from bytes in memory. It
// differs from cereal::BinaryInputArchive in one thing: a container's or a string's length is
// checked against the bytes left before the container is sized from it. Every element takes
// at least one byte in this encoding, so a length over the bytes left cannot be true, and the
// memory a decode can take is bounded by the payload's size times the element's size instead
// of by whatever a length says (a 54-byte frame announcing 2^28 ints would otherwise have the
// reader allocate and zero 1 GiB before it noticed the bytes were missing).
//
// The check sits where every cereal container reads its length, the SizeTag, so it holds for
// every container a task's signature may use (strings, vectors, maps, sets, lists, deques,
// user types that use make_size_tag) without a loader per container. Its one limit: elements
// of a type that encodes to nothing (an empty struct, std::tuple<>) cannot outnumber the
// bytes that follow them. Loaders written for cereal::BinaryInputArchive by name are not
// found: a task's types must serialize through templates on the archive, as cereal's own do.
class BoundedInputArchive final
    : public cereal::InputArchive<BoundedInputArchive, cereal::AllowEmptyClassElision> {
 public:
  // BoundedInputArchive() reads `bytes`, which must outlive it.
  explicit BoundedInputArchive(std::string_view bytes) noexcept
      : InputArchive(this), bytes_(bytes) {}

  // loadBinary() copies the next `size` bytes to `data`. Throws cereal::Exception when fewer
  // are left.
  void loadBinary(void* data, std::size_t size) {
    if (size > bytes_.size()) {
      throw cereal::Exception("the bytes end early: " + std::to_string(size) +
                              " more were needed, " + std::to_string(bytes_.size()) + " are left");
    }
    if (size > 0) std::memcpy(data, bytes_.data(), size);
    bytes_.remove_prefix(size);
  }

  // loadLength() reads a container's length. Throws cereal::Exception when it is more than
  // the bytes left could hold.
  void loadLength(cereal::size_type& length) {
    loadBinary(&length, sizeof length);
    if (length > bytes_.size()) {
      throw cereal::Exception("a length of " + std::to_string(length) + " is more than the " +
                              std::to_string(bytes_.size()) + " bytes left could hold");
    }
  }

  // remaining() is how many bytes have not been read.
  std::size_t remaining() const noexcept { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

// The loaders cereal looks up for an archive (found by argument-dependent lookup): numbers,
// raw bytes, lengths and names, as cereal::BinaryInputArchive has them.
template <class T>
std::enable_if_t<std::is_arithmetic_v<T>> CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar,
                                                                    T& value) {
  ar.loadBinary(std::addressof(value), sizeof value);
}

// A bool is one byte, 0 or 1: any other byte (a std::optional's flag among them) would be a
// bool that is neither, which is undefined behaviour to read.
inline void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, bool& value) {
  unsigned char byte = 0;
  ar.loadBinary(&byte, 1);
  if (byte > 1) throw cereal::Exception("a bool of " + std::to_string(byte) + ", not 0 or 1");
  value = byte == 1;
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::BinaryData<T>& data) {
  ar.loadBinary(data.data, static_cast<std::size_t>(data.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::SizeTag<T>& tag) {
  cereal::size_type length = 0;
  ar.loadLength(length);
  tag.size = static_cast<std::remove_reference_t<T>>(length);
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(BoundedInputArchive& ar, cereal::NameValuePair<T>& pair) {
  ar(pair.value);
}

}  // namespace switchyard::detail

// What the archive reads is what cereal::BinaryOutputArchive writes (types with a
// save_minimal are checked against it), and it reads polymorphic types too.
namespace cereal::traits::detail {
template <>
struct get_output_from_input<switchyard::detail::BoundedInputArchive> {
  using type = cereal::BinaryOutputArchive;
};
}  // namespace cereal::traits::detail
CEREAL_REGISTER_ARCHIVE(switchyard::detail::BoundedInputArchive)
