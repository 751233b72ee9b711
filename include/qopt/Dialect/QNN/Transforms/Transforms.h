//===- Transforms.h - QNN rewrite pattern entry points --------------*- C++ -*-===//
//
// Part of qopt. Patterns behind the QNN passes, for compilers that want to
// run them inside their own pattern sets.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_DIALECT_QNN_TRANSFORMS_TRANSFORMS_H
#define QOPT_DIALECT_QNN_TRANSFORMS_TRANSFORMS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/JSON.h"

#include <functional>

namespace mlir {
namespace qnn {

/// Folds batch_norm into a conv2d / fully_connected / matmul producer with
/// constant weights. With `scaleShiftFallback`, a batch_norm that cannot be
/// folded is rewritten into a per-channel mul + add (lower benefit).
void populateFoldBatchNormPatterns(RewritePatternSet &patterns,
                                   bool scaleShiftFallback = true);

/// Fuses relu / clip into the producing conv2d, fully_connected, matmul and
/// (when `fuseAdd`) add.
void populateFuseActivationPatterns(RewritePatternSet &patterns,
                                    bool fuseAdd = true);

/// Folds quantize / dequantize pairs around conv2d, fully_connected and
/// matmul (constant float weights become `weightBits`-bit symmetric
/// integers, per channel when `perChannel`), data
/// movement, relu / clip, and back-to-back quantize(dequantize) into
/// quantized ops (`--quantize-static`, `--lower-fake-quant`).
void populateQDQFoldingPatterns(RewritePatternSet &patterns,
                                bool perChannel = true,
                                unsigned weightBits = 8);

/// Replaces float islands that are functions of one 8-bit tensor by
/// qnn.lookup_table (`--form-lookup-tables`; `--integer-only` runs them).
void populateLookupTablePatterns(RewritePatternSet &patterns);

/// Calibrates the observers of `module` in place on `dataPaths` (one .npy
/// file per model input). `--quantize-static=calibration-data=...` calls it;
/// qopt's pass libraries do not link the JIT, so tools that do (qopt) install
/// an implementation with setCalibrationHook
/// (qopt::registerInProcessCalibration).
/// Calibrates `module`'s observers on the .npy files `dataPaths` (one per
/// model input): what `quantize-static{calibration-data=...}` calls. The
/// dialect's passes cannot JIT-compile, so the driver that can (qopt,
/// qopt-run: qopt::inProcessCalibrator()) hands one to the pass when it
/// creates it; without one, calibration-data is an error that says so.
/// `activationBits` is the width the activations will be quantized to (8
/// or 16), for methods that weigh clipping against rounding.
using Calibrator = std::function<LogicalResult(
    ModuleOp module, ArrayRef<std::string> dataPaths, unsigned activationBits)>;

/// Receives one batch of one layer's input (values in row-major order).
using LayerInputSink = llvm::function_ref<void(
    unsigned layer, ArrayRef<int64_t> shape, ArrayRef<float> values)>;
/// Runs `module` over the calibration data `dataPaths` and hands `sink`
/// the input (operand 0) of each of `layers` (ops of `module`, at the top
/// level of a function), batch by batch: what `round-weights` learns from.
/// Like Calibrator, supplied by a driver that links the JIT
/// (qopt::inProcessLayerInputs()).
using LayerInputStreamer = std::function<LogicalResult(
    ModuleOp module, ArrayRef<Operation *> layers,
    ArrayRef<std::string> dataPaths, LayerInputSink sink)>;

/// What the passes that learn from calibration data call: given by drivers
/// that link the JIT (qopt::inProcessHooks()), empty otherwise.
struct CalibrationHooks {
  Calibrator calibrate;
  LayerInputStreamer layerInputs;
};

struct RoundWeightsPassOptions;
/// round-weights with a streamer for its statistics.
std::unique_ptr<Pass> createRoundWeightsPass(RoundWeightsPassOptions options,
                                             LayerInputStreamer streamer);

/// The weight size report's rows (what --quantization-report{json=...}
/// writes under "layers"): per weighted op under `root` with constant
/// weights, its name, op, weight/bias elements and bits, float and stored
/// bytes.
llvm::json::Array weightSizeRows(Operation *root);

struct SmoothQuantPassOptions;
/// smooth-quant with a streamer for its channel statistics.
std::unique_ptr<Pass> createSmoothQuantPass(SmoothQuantPassOptions options,
                                            LayerInputStreamer streamer);

struct QuantizeStaticPassOptions;
/// quantize-static with a calibrator for its calibration-data option.
std::unique_ptr<Pass> createQuantizeStaticPass(QuantizeStaticPassOptions options,
                                               Calibrator calibrator);

} // namespace qnn
} // namespace mlir

#endif // QOPT_DIALECT_QNN_TRANSFORMS_TRANSFORMS_H
