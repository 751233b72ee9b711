//===- Npz.cpp - NumPy .npz archives and model input files ----------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/Npz.h"
#include "qopt/Support/MemoryLimit.h"
#include "qopt/Support/Sizes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <zip.h>

#include <algorithm>

using namespace llvm;

static Error err(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}

namespace {
/// Closes an archive opened read-only.
struct Archive {
  zip_t *zip = nullptr;
  ~Archive() {
    if (zip)
      zip_discard(zip);
  }
};
struct Member {
  zip_file_t *file = nullptr;
  ~Member() {
    if (file)
      zip_fclose(file);
  }
};
} // namespace

Expected<std::vector<std::pair<std::string, qopt::NpyArray>>>
qopt::readNpz(StringRef path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return err("'" + path + "': cannot read: " + ec.message());
  if (!sys::fs::is_regular_file(status))
    return err("'" + path + "' is not a regular file");
  int code = 0;
  Archive archive;
  archive.zip = zip_open(path.str().c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!archive.zip) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return err("'" + path +
               "' is not a readable .npz (zip) archive: " + message);
  }
  zip_int64_t count = zip_get_num_entries(archive.zip, 0);
  uint64_t limit = processMemoryLimit(), total = 0;
  std::vector<std::pair<std::string, NpyArray>> arrays;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive.zip, i, 0, &stat) != 0 ||
        !(stat.valid & ZIP_STAT_NAME) || !(stat.valid & ZIP_STAT_SIZE))
      return err("'" + path + "': cannot read member " + Twine(i) + ": " +
                 zip_strerror(archive.zip));
    StringRef name = stat.name;
    std::string what = (path + ": '" + name + "'").str();
    if (!name.consume_back(".npy"))
      return err(what + " is not a .npy member (an .npz holds only .npy "
                        "files, as np.savez writes them)");
    // The declared size is checked against the memory limit before it is
    // allocated; the bytes read must then match it exactly.
    if (stat.size > limit || total + stat.size > limit)
      return err(what + " declares " + formatBytes(stat.size) +
                 ", above the memory limit of " + formatBytes(limit) + "; " +
                 kMemoryLimitAdvice);
    total += stat.size;
    std::string bytes(stat.size, '\0');
    Member member;
    member.file = zip_fopen_index(archive.zip, i, 0);
    if (!member.file)
      return err(what + ": cannot open: " + zip_strerror(archive.zip));
    zip_int64_t got = zip_fread(member.file, bytes.data(), stat.size);
    if (got < 0 || (zip_uint64_t)got != stat.size)
      return err(what + ": cannot read (" +
                 (got < 0 ? Twine(zip_file_strerror(member.file))
                          : Twine("truncated")) +
                 ")");
    auto array = parseNpy(bytes, what);
    if (!array)
      return array.takeError();
    arrays.emplace_back(name.str(), std::move(*array));
  }
  if (arrays.empty())
    return err("'" + path + "' holds no arrays");
  return arrays;
}

/// The arrays of an .npz in the order of `inputNames`: by name, or
/// positionally when the archive's names are arr_0, arr_1, ...
static Expected<std::vector<qopt::NpyArray>>
arraysForInputs(StringRef path, ArrayRef<std::string> inputNames,
                StringRef what) {
  auto arrays = qopt::readNpz(path);
  if (!arrays)
    return arrays.takeError();
  auto list = [](auto names) {
    std::string s;
    for (const auto &n : names)
      s += (s.empty() ? "'" : ", '") + std::string(n) + "'";
    return s;
  };
  SmallVector<std::string> held;
  for (auto &[name, array] : *arrays)
    held.push_back(name);
  bool positional = held.size() == inputNames.size();
  for (auto [i, name] : llvm::enumerate(held))
    positional &= name == "arr_" + std::to_string(i);
  std::vector<qopt::NpyArray> out;
  if (positional) {
    for (auto &[name, array] : *arrays)
      out.push_back(std::move(array));
    return out;
  }
  StringSet<> inputs;
  for (const std::string &n : inputNames)
    inputs.insert(n);
  SmallVector<std::string> missing, unknown;
  for (const std::string &n : inputNames)
    if (!llvm::is_contained(held, n))
      missing.push_back(n);
  for (const std::string &n : held)
    if (!inputs.contains(n))
      unknown.push_back(n);
  if (!missing.empty() || !unknown.empty())
    return err(what + " '" + path + "' holds " + list(held) +
               " but the model's inputs are " + list(inputNames) +
               (missing.empty() ? "" : "; missing: " + list(missing)) +
               (unknown.empty() ? "" : "; unknown: " + list(unknown)) +
               " (save one array per input by name: np.savez(path, " +
               inputNames.front() + "=..., ...))");
  for (const std::string &n : inputNames)
    for (auto &[name, array] : *arrays)
      if (name == n)
        out.push_back(std::move(array));
  return out;
}

Expected<qopt::NpyArray> qopt::stackSamples(ArrayRef<NpyArray> samples,
                                            StringRef name) {
  if (samples.empty())
    return err(name + ": no samples");
  NpyArray out;
  out.dtype = samples.front().dtype;
  out.shape.push_back((int64_t)samples.size());
  out.shape.append(samples.front().shape.begin(), samples.front().shape.end());
  for (auto [i, s] : llvm::enumerate(samples)) {
    if (s.dtype != out.dtype || s.shape != samples.front().shape)
      return err(name + ": sample " + Twine(i) + " is " +
                 npyDTypeName(s.dtype) + " " + shapeString(s.shape) +
                 ", sample 0 " + npyDTypeName(out.dtype) + " " +
                 shapeString(samples.front().shape) +
                 " (samples run one call each at the model's shapes)");
    out.data.insert(out.data.end(), s.data.begin(), s.data.end());
  }
  return out;
}

Expected<std::vector<qopt::NpyArray>>
qopt::readInputArrays(ArrayRef<std::string> paths,
                      ArrayRef<std::string> inputNames, StringRef what) {
  std::vector<NpyArray> data;
  if (paths.size() == 1 && sys::fs::is_directory(paths.front())) {
    StringRef dir = paths.front();
    std::vector<std::string> files;
    std::error_code ec;
    for (sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
         it.increment(ec))
      if (sys::path::extension(it->path()) == ".npz")
        files.push_back(it->path());
    if (ec)
      return err(what + " '" + dir + "': cannot list: " + ec.message());
    if (files.empty())
      return err(what + " '" + dir +
                 "' holds no .npz files (one per sample, an array per input)");
    llvm::sort(files);
    std::vector<std::vector<NpyArray>> perInput(inputNames.size());
    for (const std::string &file : files) {
      auto feed = arraysForInputs(file, inputNames, what);
      if (!feed)
        return feed.takeError();
      for (auto [i, a] : llvm::enumerate(*feed))
        perInput[i].push_back(std::move(a));
    }
    for (auto [i, samples] : llvm::enumerate(perInput)) {
      auto stacked = stackSamples(
          samples,
          (what + " '" + dir + "', input '" + inputNames[i] + "'").str());
      if (!stacked)
        return stacked.takeError();
      data.push_back(std::move(*stacked));
    }
    return data;
  }
  if (paths.size() == 1 && sys::path::extension(paths.front()) == ".npz")
    return arraysForInputs(paths.front(), inputNames, what);
  for (const std::string &path : paths) {
    auto array = readNpy(path);
    if (!array)
      return array.takeError();
    data.push_back(std::move(*array));
  }
  return data;
}
