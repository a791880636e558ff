// detail::StringSink and detail::ViewSource: stream buffers over bytes already in memory.
#pragma once

#include <cstddef>
#include <streambuf>
#include <string>
#include <string_view>

namespace switchyard::detail {

// StringSink appends everything written through it to a std::string, so an archive encodes
// straight into the buffer that goes on the wire (a std::ostringstream would copy it out).
class StringSink final : public std::streambuf {
 public:
  explicit StringSink(std::string& out) noexcept : out_(out) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.append(s, static_cast<std::size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()))
      out_.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }

 private:
  std::string& out_;
};

// ViewSource reads from bytes it does not own; they must outlive it.
class ViewSource final : public std::streambuf {
 public:
  explicit ViewSource(std::string_view bytes) noexcept {
    char* begin = const_cast<char*>(bytes.data());  // get area only: never written through
    setg(begin, begin, begin + bytes.size());
  }
  // remaining() is how many bytes have not been read.
  std::size_t remaining() const noexcept { return static_cast<std::size_t>(egptr() - gptr()); }
};

}  // namespace switchyard::detail
