//===- OutputFile.cpp - Atomic, checked writes of output files ------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/OutputFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

static Error writeError(StringRef path, std::error_code ec) {
  return createStringError(ec, "cannot write '%s': %s", path.str().c_str(),
                           ec.message().c_str());
}

/// Flushes `os` and turns a pending stream error into an Error; the stream's
/// error is cleared so that its destructor does not call report_fatal_error.
static Error finish(raw_fd_ostream &os, StringRef path) {
  os.flush();
  if (std::error_code ec = os.error()) {
    os.clear_error();
    return writeError(path, ec);
  }
  return Error::success();
}

Error qopt::writeOutputFile(StringRef path,
                            function_ref<Error(raw_ostream &)> write,
                            bool binary) {
  // Produce the content first: a failing producer writes nothing at all.
  std::string bytes;
  {
    raw_string_ostream os(bytes);
    if (Error e = write(os))
      return e;
  }
  if (path == "-") {
    raw_fd_ostream &out = outs();
    out << bytes;
    return finish(out, "<stdout>");
  }

  // Devices, FIFOs and the like cannot be replaced by a rename: write them
  // in place.
  sys::fs::file_status status;
  if (!sys::fs::status(path, status) && sys::fs::exists(status) &&
      status.type() != sys::fs::file_type::regular_file) {
    if (status.type() == sys::fs::file_type::directory_file)
      return createStringError(std::errc::is_a_directory,
                               "cannot write '%s': it is a directory",
                               path.str().c_str());
    std::error_code ec;
    raw_fd_ostream os(path, ec,
                      binary ? sys::fs::OF_None : sys::fs::OF_Text);
    if (ec)
      return writeError(path, ec);
    os << bytes;
    return finish(os, path);
  }

  // A regular file (or none yet): a temporary beside it, renamed at the end.
  Expected<sys::fs::TempFile> temp = sys::fs::TempFile::create(
      path + ".qopt-tmp-%%%%%%",
      sys::fs::all_read | sys::fs::all_write,
      binary ? sys::fs::OF_None : sys::fs::OF_Text);
  if (!temp)
    return writeError(path, errorToErrorCode(temp.takeError()));
  Error written = [&]() -> Error {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    os << bytes;
    return finish(os, path);
  }();
  if (written) {
    consumeError(temp->discard());
    return written;
  }
  if (Error e = temp->keep(path))
    return writeError(path, errorToErrorCode(std::move(e)));
  return Error::success();
}

Error qopt::writeOutputFile(StringRef path, StringRef bytes, bool binary) {
  return writeOutputFile(
      path,
      [&](raw_ostream &os) {
        os << bytes;
        return Error::success();
      },
      binary);
}
