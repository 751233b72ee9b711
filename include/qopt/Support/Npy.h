//===- Npy.h - NumPy .npy arrays ------------------------------------*- C++ -*-===//
//
// Part of qopt. Reads and writes version 1/2 .npy files (C order, little
// endian) of f32, f64, f16, i8/16/32/64, u8/16/32/64 and bool — the formats
// datasets, golden outputs, calibration sets and ONNX's tests come in.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_NPY_H
#define QOPT_SUPPORT_NPY_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace qopt {

enum class NpyDType { F32, F64, I8, U8, I32, I64, Bool, F16, I16, U16, U32,
                      U64 };

/// The numpy descr string ("<f4", "|i1", ...), the element size and the
/// short name ("f32", "u8", "bool").
llvm::StringRef npyDescr(NpyDType t);
unsigned npyElementSize(NpyDType t);
llvm::StringRef npyDTypeName(NpyDType t);
/// NumPy's name for the dtype (float32, int8, uint8, bool_).
llvm::StringRef npyNumpyName(NpyDType t);

struct NpyArray {
  NpyDType dtype = NpyDType::F32;
  llvm::SmallVector<int64_t> shape;
  std::vector<char> data; ///< numElements() * npyElementSize(dtype) bytes

  int64_t numElements() const;
  template <typename T> T *as() { return reinterpret_cast<T *>(data.data()); }
  template <typename T> const T *as() const {
    return reinterpret_cast<const T *>(data.data());
  }
};

/// Samples [start, start + count) of `in` (leading dimension = samples) as
/// an array of `rows` samples, the rows past `count` zero (the padding of a
/// short last batch for a static-batch model).
NpyArray sliceSamples(const NpyArray &in, int64_t start, int64_t count,
                      int64_t rows);

/// Reads `path`; the error names the file and what is wrong with it. Only
/// regular files are read (not devices or pipes).
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// The shape of the array in `path`, from its header (the data is checked
/// for size, not read).
llvm::Expected<llvm::SmallVector<int64_t>> readNpyShape(llvm::StringRef path);

/// Parses the header of a .npy file's bytes into `array`'s dtype and shape
/// and returns the payload (exactly the shape's size); `name` is used in
/// errors.
llvm::Expected<llvm::StringRef>
parseNpyHeader(llvm::StringRef bytes, llvm::StringRef name, NpyArray &array);

/// Parses the bytes of a .npy file; `name` is used in errors. The declared
/// shape must match the payload exactly, so nothing larger than `bytes` is
/// allocated.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);

/// Writes `array` to `path`.
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

} // namespace qopt

#endif // QOPT_SUPPORT_NPY_H
