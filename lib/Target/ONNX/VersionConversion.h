//===- VersionConversion.h - Old opsets through ONNX's adapters -*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_TARGET_ONNX_VERSIONCONVERSION_H
#define QOPT_LIB_TARGET_ONNX_VERSIONCONVERSION_H

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace qopt {
namespace onnx_import {

/// `model` converted to default-domain opset `target` by ONNX's version
/// converter, or nullopt with `error` set to the converter's message.
std::optional<onnx::ModelProto> convertOpset(const onnx::ModelProto &model,
                                             int target, std::string &error);

} // namespace onnx_import
} // namespace qopt

#endif // QOPT_LIB_TARGET_ONNX_VERSIONCONVERSION_H
