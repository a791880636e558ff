// read_regular_file() with read(2) rather than iostreams, because only the former keeps errno:
// "Permission denied" is the message a user needs.
#include <switchyard/detail/regular_file.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace switchyard::detail {

namespace {

// file_type() names what a path that is not a regular file is.
std::string_view file_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

// FileDescriptor closes on every exit, including a bad_alloc while the text grows.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

FileText refused(FileProblem problem) {
  return {{}, problem};
}

FileText unreadable(int error) {
  return refused({FileProblem::Kind::unreadable, error, {}, 0});
}

FileText too_large(std::size_t max_bytes) {
  return refused({FileProblem::Kind::too_large, 0, {}, max_bytes});
}

}  // namespace

std::string FileProblem::what() const {
  switch (kind) {
    case Kind::unreadable:
      return "cannot read: " + std::generic_category().message(error);
    case Kind::not_regular:
      return "is " + std::string(file_type) + ", not a regular file";
    case Kind::too_large:
      break;
  }
  return "is larger than " + std::to_string(max_bytes) + " bytes";
}

FileText read_regular_file(const std::filesystem::path& path, std::size_t max_bytes) {
  // O_NONBLOCK lets open() return at once on a FIFO that no one writes to.
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (file.get() < 0) return unreadable(errno);
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) return unreadable(errno);
  if (!S_ISREG(status.st_mode)) {
    return refused({FileProblem::Kind::not_regular, 0, file_type(status.st_mode), 0});
  }
  if (static_cast<std::uintmax_t>(status.st_size) > max_bytes) return too_large(max_bytes);
  FileText read;
  read.text.reserve(static_cast<std::size_t>(status.st_size));
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(file.get(), buffer, sizeof buffer);
    if (n > 0) {
      read.text.append(buffer, static_cast<std::size_t>(n));
      if (read.text.size() > max_bytes) return too_large(max_bytes);
    } else if (n == 0) {
      return read;
    } else if (errno != EINTR) {
      return unreadable(errno);
    }
  }
}

}  // namespace switchyard::detail
