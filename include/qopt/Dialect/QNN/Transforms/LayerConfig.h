//===- LayerConfig.h - Per-layer quantization overrides ---------*- C++ -*-===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_TRANSFORMS_LAYERCONFIG_H
#define QOPT_DIALECT_QNN_TRANSFORMS_LAYERCONFIG_H

#include "qopt/Dialect/QNN/Utils/ElementwiseFunction.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir {
namespace qnn {

/// Discardable attributes a per-layer config leaves on the ops it matches
/// until quantize-static has quantized them (kKeepFloatAttrName stays on
/// float islands).
constexpr llvm::StringLiteral kWeightBitsAttrName = "qnn.weight_bits";
constexpr llvm::StringLiteral kPerChannelAttrName = "qnn.per_channel";
/// The width of the op's result activations (8 or 16) where it differs from
/// the pass's activation type.
constexpr llvm::StringLiteral kActivationBitsAttrName = "qnn.activation_bits";

/// An op that computes float values and is not quantized itself: an
/// importer-built linalg.generic, a qnn activation or softmax. A per-layer
/// config's keep_float keeps it out of lookup tables.
bool isFloatIsland(Operation *op);

/// Reads the per-layer config `config` (a JSON file's path, or the JSON
/// text itself when it starts with '{') and marks the ops it matches:
///   {"layers": [{"match": REGEX, "op_type": TYPE, "keep_float": BOOL,
///                "weight_bits": 4|8, "activation_bits": 8|16,
///                "per_channel": BOOL}, ...]}
/// REGEX is searched in the op's location name (its ONNX node name(s), or
/// the name its observer recorded), TYPE compared with its ONNX op types;
/// the first matching entry wins. Errors name `pass`; with `warnUnmatched`
/// an entry that matches nothing is a warning with the nearest names.
LogicalResult applyLayerConfig(ModuleOp module, StringRef config,
                               StringRef pass, bool warnUnmatched);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_TRANSFORMS_LAYERCONFIG_H
