// detail::StringSink: a stream buffer that writes into a std::string.
#pragma once

#include <cstddef>
#include <streambuf>
#include <string>

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

}  // namespace switchyard::detail
