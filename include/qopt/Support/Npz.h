//===- Npz.h - NumPy .npz archives and model input files -----------*- C++
//-*-===//
//
// Part of qopt. Reads NumPy's .npz archives (np.savez, np.savez_compressed:
// zip files of .npy members) through libzip, and the three ways a model's
// inputs are given on the command line.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_SUPPORT_NPZ_H
#define QOPT_SUPPORT_NPZ_H

#include "qopt/Support/Npy.h"

#include <string>
#include <utility>
#include <vector>

namespace qopt {

/// The arrays of an .npz file in archive order, each with its name (the
/// member's name without ".npy": the keyword of np.savez, or arr_0, arr_1
/// for positional arrays). A member larger than the process memory limit,
/// or not a .npy file, is an error naming the archive and the member.
llvm::Expected<std::vector<std::pair<std::string, NpyArray>>>
readNpz(llvm::StringRef path);

/// One array per model input (`inputNames`, in order) from `paths`:
///  - one .npy per input, in order (samples along each one's batch
///    dimension);
///  - one .npz holding an array per input, by input name (or positionally,
///    arr_0, arr_1, ... from np.savez(*arrays));
///  - one directory of .npz files, one sample each (a feed: an array per
///    input, as above), read in file-name order and stacked along a new
///    leading sample axis, which CompiledModel runs one call per sample --
///    the form for stateful models whose inputs share no batch dimension.
/// `what` names the data in errors ("calibration data").
llvm::Expected<std::vector<NpyArray>>
readInputArrays(llvm::ArrayRef<std::string> paths,
                llvm::ArrayRef<std::string> inputNames, llvm::StringRef what);

/// The arrays of `samples` (each of the same dtype and shape) stacked along
/// a new leading axis; `name` is used in errors.
llvm::Expected<NpyArray> stackSamples(llvm::ArrayRef<NpyArray> samples,
                                      llvm::StringRef name);

} // namespace qopt

#endif // QOPT_SUPPORT_NPZ_H
