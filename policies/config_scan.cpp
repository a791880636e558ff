#include "config_scan.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <switchyard/config_limits.hpp>

namespace switchyard {
namespace {

// A key quoted in a message is cut after this many bytes.
constexpr std::size_t kShownKeyBytes = 80;

// ends_bare_key() says whether `c` cannot be part of a bare key. Anything else counts as one,
// also characters TOML does not allow there, so that no key goes uncounted; toml++ reports
// those.
bool ends_bare_key(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '.':
    case '=':
    case '[':
    case ']':
    case '{':
    case '}':
    case ',':
    case '#':
    case '"':
    case '\'':
      return true;
    default:
      return false;
  }
}

// is_continuation() says whether `c` continues a UTF-8 character rather than starting one.
bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Scanner reads TOML text once, and follows only what decides how deep toml++'s tree goes and
// how long its keys are: strings and comments are skipped (their brackets and dots do not
// count), key segments and brackets are counted. Where the text is not valid TOML it counts
// rather more than less, and toml++ reports the text's mistake.
class Scanner {
 public:
  Scanner(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  void run() {
    while (!at_end()) {
      skip_blank();
      if (at_end()) break;
      switch (text_[i_]) {
        case '\n':
          ++i_;
          break;
        case '#':
          skip_comment();
          break;
        case '[':
          header();
          break;
        default:
          pair();
      }
    }
  }

 private:
  // Open is an array or inline table not yet closed, and (for an inline table) the key
  // segments of its pair being read, which end with that pair.
  struct Open {
    char bracket;
    int keys;
  };

  bool at_end() const { return i_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0';
  }
  // skip_blank() skips spaces and tabs, and line ends too when `lines`.
  void skip_blank(bool lines = false) {
    while (!at_end() && (text_[i_] == ' ' || text_[i_] == '\t' || text_[i_] == '\r' ||
                         (lines && text_[i_] == '\n'))) {
      ++i_;
    }
  }
  void skip_comment() {
    while (!at_end() && text_[i_] != '\n') ++i_;
  }

  // header() reads a [table] or [[array of tables]] header, whose segments count toward every
  // key under it. toml++ allows only a comment after it on its line.
  void header() {
    i_ += peek(1) == '[' ? 2 : 1;
    depth_ = 0;
    header_depth_ = key(false);
    while (!at_end() && text_[i_] != '\n') {
      if (text_[i_] == '#') {
        skip_comment();
        break;
      }
      check_ascii();
      ++i_;
    }
  }

  // pair() reads a key-value pair of the top level, up to the end of its line or, for an
  // array or inline table spanning lines, of the line that closes it.
  void pair() {
    depth_ = header_depth_;
    key(false);
    pair_key_ = key_;
    open_.clear();
    // Inside a bare value (a number, a date, true) toml++ reads every character up to a blank,
    // a comma, a bracket or a comment as part of it: a quote there opens no string.
    bool bare = false;
    while (!at_end()) {
      const char c = text_[i_];
      if (c == '\n' && open_.empty()) return;
      if (bare && c != '#' && c != '[' && c != '{' && c != ',' && c != ']' && c != '}') {
        check_ascii();
        bare = c != ' ' && c != '\t' && c != '\r' && c != '\n';
        ++i_;
        continue;
      }
      bare = false;
      switch (c) {
        case '"':
        case '\'':
          skip_string();
          break;
        case '#':
          skip_comment();
          break;
        case '[':
        case '{':
          enter(i_, pair_key_);
          open_.push_back({c, 0});
          ++i_;
          if (c == '{') open_.back().keys = key(true);
          break;
        case ',':
          ++i_;
          if (!open_.empty() && open_.back().bracket == '{') {
            depth_ -= open_.back().keys;
            open_.back().keys = key(true);
          }
          break;
        case ']':
        case '}':
          ++i_;
          if (!open_.empty() && open_.back().bracket == (c == ']' ? '[' : '{')) {
            depth_ -= 1 + open_.back().keys;
            open_.pop_back();
          }
          break;
        default:
          check_ascii();
          bare = c != ' ' && c != '\t' && c != '\r' && c != '\n';
          ++i_;
      }
    }
  }

  // key() reads a dotted key, if one starts here (after blanks, and newlines when `lines`),
  // and returns its number of segments.
  int key(bool lines) {
    skip_blank(lines);
    key_ = {i_, i_};
    int segments = 0;
    for (;;) {
      skip_blank();
      const std::size_t start = i_;
      std::size_t length = 0;
      if (peek() == '"' || peek() == '\'') {
        length = skip_string();
      } else {
        for (; !at_end() && !ends_bare_key(text_[i_]); ++i_) check_ascii();
        length = i_ - start;
        if (length == 0) return segments;
      }
      ++segments;
      key_.second = i_;
      if (length > kMaxConfigKeyBytes) {
        fail(start, key_,
             "a key is at most " + std::to_string(kMaxConfigKeyBytes) + " bytes; this one has " +
                 std::to_string(length));
      }
      enter(start, key_);
      skip_blank();
      if (peek() != '.') return segments;
      ++i_;
    }
  }

  // skip_string() skips the string whose opening quote is at i_, and returns how long its
  // content is as written. A single-line string also ends at the end of its line, where
  // toml++ reports it unclosed.
  std::size_t skip_string() {
    const char quote = text_[i_];
    const bool multiline = peek(1) == quote && peek(2) == quote;
    i_ += multiline ? 3 : 1;
    const std::size_t start = i_;
    while (!at_end()) {
      const char c = text_[i_];
      if (c == '\\' && quote == '"') {
        ++i_;
        check_after_backslash(multiline);
        if (peek() == '\n' && !multiline) break;
        if (!at_end()) ++i_;
      } else if (c == '\n' && !multiline) {
        break;
      } else if (c == quote && (!multiline || (peek(1) == quote && peek(2) == quote))) {
        const std::size_t length = i_ - start;
        i_ += multiline ? 3 : 1;
        // A multi-line string may end with one or two quotes of its own before the closing
        // three.
        for (int extra = 0; multiline && extra < 2 && peek() == quote; ++extra) ++i_;
        return length;
      } else {
        ++i_;
      }
    }
    return i_ - start;
  }

  // check_ascii() refuses a byte outside ASCII at i_, where the scanner is outside strings and
  // comments: TOML allows other characters only in those, and toml++ 3.3 meets some of them
  // (where it expects a blank) with undefined behaviour instead of an error.
  void check_ascii() const {
    if ((static_cast<unsigned char>(text_[i_]) & 0x80) == 0) return;
    fail(i_, key_, "a character outside ASCII outside a string or a comment");
  }

  // check_after_backslash() refuses a byte outside ASCII after a backslash at i_ - 1 in a
  // basic string and the blanks after it (line breaks too in a multi-line string): no escape
  // TOML knows starts so, and there toml++ 3.3 asks whether the character is a blank, with
  // undefined behaviour for most characters outside ASCII.
  void check_after_backslash(bool multiline) const {
    std::size_t j = i_;
    while (j < text_.size() && (text_[j] == ' ' || text_[j] == '\t' ||
                                (multiline && (text_[j] == '\n' || text_[j] == '\r')))) {
      ++j;
    }
    if (j == text_.size() || (static_cast<unsigned char>(text_[j]) & 0x80) == 0) return;
    fail(j, key_, "a character outside ASCII after a backslash and blanks in a string");
  }

  // enter() counts one level more, for the key segment or bracket at `at`.
  void enter(std::size_t at, std::pair<std::size_t, std::size_t> shown) {
    if (++depth_ <= kMaxConfigNesting) return;
    fail(at, shown,
         "nested more than " + std::to_string(kMaxConfigNesting) +
             " deep (each key segment, array and inline table is one level)");
  }

  // fail() throws the problem found at `at`, quoting the text `shown` as its key.
  [[noreturn]] void fail(std::size_t at, std::pair<std::size_t, std::size_t> shown,
                         std::string reason) const {
    const std::string_view before = text_.substr(0, at);
    const std::size_t line_start = before.rfind('\n') + 1;  // 0 when there is none
    // Columns count characters, as toml++'s do: UTF-8 continuation bytes are not counted.
    const auto column = std::count_if(before.begin() + static_cast<std::ptrdiff_t>(line_start),
                                      before.end(), [](char c) { return !is_continuation(c); });
    const auto line = std::count(before.begin(), before.end(), '\n') + 1;
    std::string key(text_.substr(shown.first, shown.second - shown.first));
    if (key.size() > kShownKeyBytes) {
      std::size_t cut = kShownKeyBytes;
      while (cut > 0 && is_continuation(key[cut])) --cut;  // not inside a character
      key = key.substr(0, cut) + "...";
    }
    throw ConfigError({{std::string(source_),
                        static_cast<std::uint32_t>(line),
                        static_cast<std::uint32_t>(column + 1),
                        std::move(key),
                        {},
                        std::move(reason)}});
  }

  std::string_view text_;
  std::string_view source_;
  std::size_t i_ = 0;
  int depth_ = 0;         // levels above the text at i_
  int header_depth_ = 0;  // segments of the last [table] header
  // key_ and pair_key_ are the [begin, end) of the last key read and of the top-level pair's
  // key, for messages.
  std::pair<std::size_t, std::size_t> key_{0, 0};
  std::pair<std::size_t, std::size_t> pair_key_{0, 0};
  // open_ never holds more than kMaxConfigNesting entries: each is a level.
  std::vector<Open> open_;
};

}  // namespace

ConfigProblem too_large(std::string_view source, std::string_view named_by) {
  const std::string reason = "is larger than " + std::to_string(kMaxConfigBytes) + " bytes (" +
                             std::to_string(kMaxConfigBytes >> 20) + " MiB)" +
                             std::string(named_by);
  return {std::string(source), 0, 0, {}, {}, reason};
}

void scan_text(std::string_view text, std::string_view source) {
  if (text.size() > kMaxConfigBytes) throw ConfigError({too_large(source)});
  Scanner(text, source).run();
}

}  // namespace switchyard
