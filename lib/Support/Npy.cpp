//===- Npy.cpp - NumPy .npy arrays ----------------------------------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Support/Npy.h"
#include "qopt/Support/OutputFile.h"
#include "qopt/Support/Sizes.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <limits>

using namespace llvm;

namespace {
using qopt::NpyDType;
struct DTypeInfo {
  NpyDType type;
  const char *descr, *alt, *name, *numpy;
  unsigned size;
};
constexpr DTypeInfo kDTypes[] = {
    {NpyDType::F32, "<f4", "<f4", "f32", "float32", 4},
    {NpyDType::F64, "<f8", "<f8", "f64", "float64", 8},
    {NpyDType::I8, "|i1", "<i1", "i8", "int8", 1},
    {NpyDType::U8, "|u1", "<u1", "u8", "uint8", 1},
    {NpyDType::I32, "<i4", "<i4", "i32", "int32", 4},
    {NpyDType::I64, "<i8", "<i8", "i64", "int64", 8},
    {NpyDType::Bool, "|b1", "<b1", "bool", "bool_", 1},
    {NpyDType::F16, "<f2", "<f2", "f16", "float16", 2},
    {NpyDType::I16, "<i2", "<i2", "i16", "int16", 2},
    {NpyDType::U16, "<u2", "<u2", "u16", "uint16", 2},
    {NpyDType::U32, "<u4", "<u4", "u32", "uint32", 4},
    {NpyDType::U64, "<u8", "<u8", "u64", "uint64", 8},
};
const DTypeInfo &info(NpyDType t) {
  for (const DTypeInfo &i : kDTypes)
    if (i.type == t)
      return i;
  llvm_unreachable("dtype");
}
} // namespace

StringRef qopt::npyDescr(NpyDType t) { return info(t).descr; }
unsigned qopt::npyElementSize(NpyDType t) { return info(t).size; }
StringRef qopt::npyDTypeName(NpyDType t) { return info(t).name; }
StringRef qopt::npyNumpyName(NpyDType t) { return info(t).numpy; }

int64_t qopt::NpyArray::numElements() const {
  // Shapes are checked when read (parseNpy); saturate rather than wrap for
  // arrays built by hand.
  return checkedNumElements(shape).value_or(
      std::numeric_limits<int64_t>::max());
}

static Error npyError(StringRef path, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(),
                           ("'" + path + "': " + msg).str());
}

/// Value of `'key': value` in the header dict, up to the next top-level comma.
static std::optional<StringRef> headerField(StringRef header, StringRef key) {
  size_t k = header.find(("'" + key + "'").str());
  if (k == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(k + key.size() + 2).ltrim(" :");
  if (rest.starts_with("(")) {
    size_t e = rest.find(')');
    return e == StringRef::npos ? std::nullopt
                                : std::optional(rest.take_front(e + 1));
  }
  size_t e = rest.find_first_of(",}");
  return rest.take_front(e).trim();
}

/// The file's bytes (mapped, not copied, when large). A device or pipe
/// (/dev/zero, /dev/stdin) would be read until memory runs out or forever.
static Expected<std::unique_ptr<MemoryBuffer>> openNpy(StringRef path) {
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return npyError(path, "cannot read: " + ec.message());
  if (status.type() != sys::fs::file_type::regular_file)
    return npyError(path, "cannot read: not a regular file");
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/false,
                                   /*RequiresNullTerminator=*/false);
  if (!buf)
    return npyError(path, "cannot read: " + buf.getError().message());
  return std::move(*buf);
}

Expected<qopt::NpyArray> qopt::readNpy(StringRef path) {
  auto buf = openNpy(path);
  if (!buf)
    return buf.takeError();
  return parseNpy((*buf)->getBuffer(), path);
}

Expected<SmallVector<int64_t>> qopt::readNpyShape(StringRef path) {
  auto buf = openNpy(path);
  if (!buf)
    return buf.takeError();
  NpyArray header;
  if (Error e = parseNpyHeader((*buf)->getBuffer(), path, header).takeError())
    return std::move(e);
  return SmallVector<int64_t>(header.shape.begin(), header.shape.end());
}

Expected<qopt::NpyArray> qopt::parseNpy(StringRef bytes, StringRef path) {
  NpyArray array;
  auto payload = parseNpyHeader(bytes, path, array);
  if (!payload)
    return payload.takeError();
  array.data.assign(payload->begin(), payload->end());
  return array;
}

/// Parses the header of `bytes` into `array`'s dtype and shape; returns the
/// payload, whose size must be the shape's.
Expected<StringRef> qopt::parseNpyHeader(StringRef bytes, StringRef path,
                                         NpyArray &array) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return npyError(path, "not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) |
                (static_cast<unsigned char>(bytes[9]) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(path, "truncated header");
    uint32_t l;
    std::memcpy(&l, bytes.data() + 8, 4);
    headerLen = l;
    headerStart = 12;
  } else {
    return npyError(path, "unsupported .npy version " + Twine(major));
  }
  if (headerStart + headerLen > bytes.size())
    return npyError(path, "truncated header");
  StringRef header = bytes.substr(headerStart, headerLen);

  auto descr = headerField(header, "descr");
  auto fortran = headerField(header, "fortran_order");
  auto shapeStr = headerField(header, "shape");
  if (!descr || !fortran || !shapeStr)
    return npyError(path, "malformed header: " + header.trim());
  if (*fortran != "False")
    return npyError(path, "Fortran-ordered arrays are not supported");
  StringRef d = descr->trim("'\" ");
  array.shape.clear();
  bool known = false;
  for (const DTypeInfo &i : kDTypes)
    if (d == i.descr || d == i.alt) {
      array.dtype = i.type;
      known = true;
    }
  if (!known)
    return npyError(path, "unsupported dtype '" + d +
                              "' (supported: f16, f32, f64, i8, i16, i32, "
                              "i64, u8, u16, u32, u64, bool)");
  SmallVector<StringRef> dims;
  shapeStr->trim("() ").split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef s : dims) {
    int64_t v;
    if (s.trim().getAsInteger(10, v) || v < 0)
      return npyError(path, "malformed shape " + *shapeStr);
    array.shape.push_back(v);
  }
  std::optional<int64_t> expected =
      checkedByteSize(array.shape, npyElementSize(array.dtype));
  if (!expected)
    return npyError(path, "shape " + *shapeStr + " overflows 64 bits");
  StringRef payload = bytes.drop_front(headerStart + headerLen);
  if ((int64_t)payload.size() != *expected)
    return npyError(path, "holds " + Twine(payload.size()) +
                              " data bytes, expected " + Twine(*expected) +
                              " for its shape");
  return payload;
}

Error qopt::writeNpy(StringRef path, const NpyArray &array) {
  std::string header = "{'descr': '" + npyDescr(array.dtype).str() +
                       "', 'fortran_order': False, 'shape': (";
  for (int64_t d : array.shape)
    header += std::to_string(d) + ", ";
  if (array.shape.size() > 1)
    header.resize(header.size() - 1), header.back() = ')';
  else if (array.shape.size() == 1)
    header.resize(header.size() - 1), header += ')';
  else
    header += ')';
  header += ", }";
  // Pad so that the data starts on a 64-byte boundary, ending in '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  return writeOutputFile(
      path,
      [&](raw_ostream &os) {
        os << "\x93NUMPY" << char(1) << char(0);
        uint16_t len = header.size();
        os << char(len & 0xff) << char(len >> 8) << header;
        os.write(array.data.data(), array.data.size());
        return Error::success();
      },
      /*binary=*/true);
}

qopt::NpyArray qopt::sliceSamples(const NpyArray &in, int64_t start,
                                  int64_t count, int64_t rows) {
  size_t rowBytes = in.data.size() / std::max<int64_t>(1, in.shape[0]);
  NpyArray out;
  out.dtype = in.dtype;
  out.shape = in.shape;
  out.shape[0] = rows;
  out.data.assign(rows * rowBytes, 0);
  std::memcpy(out.data.data(), in.data.data() + start * rowBytes,
              count * rowBytes);
  return out;
}
