//===- Pipelines.h - qopt's registered pass pipelines ---------------*- C++ -*-===//
//
// Part of qopt. Two pipelines, built from typed passes and registered for the
// tools, the plugin and lit:
//
//   qopt-ptq             front end: fold-bn, fuse-ops, quantize-static
//                        (calibrating in process when given data),
//                        optionally integer-only
//   qopt-lower-to-llvm   qnn on tensors -> LLVM dialect (what the JIT and
//                        qopt-compile run)
//
// Both take `compile-to=<phase>` to stop after any phase, so a user (or a
// test) can look at the IR between stages.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_PIPELINES_PIPELINES_H
#define QOPT_PIPELINES_PIPELINES_H

#include "qopt/Codegen/CPU/IR/QCPU.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Transforms/Transforms.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>
#include <vector>

namespace qopt {

/// Where qopt-lower-to-llvm stops.
enum class LoweringPhase {
  Integer,    ///< after integer-only (quantized ops -> integer arithmetic)
  Linalg,     ///< after convert-qnn-to-linalg and elementwise fusion
  Vectorized, ///< after tiling and vectorization (still on tensors)
  Bufferized, ///< after bufferization, out-params and deallocation
  LLVM,       ///< the LLVM dialect (the default)
};

/// Options of `qopt-lower-to-llvm`.
struct LowerToLLVMOptions
    : public mlir::PassPipelineOptions<LowerToLLVMOptions> {
  Option<bool> outParams{
      *this, "out-params",
      llvm::cl::desc("Return results through caller-allocated buffers "
                     "(destination-passing style, what qopt-run and "
                     "qopt-compile call)"),
      llvm::cl::init(true)};
  Option<bool> vectorize{
      *this, "vectorize",
      llvm::cl::desc("Tile and vectorize linalg ops (off: scalar loops)"),
      llvm::cl::init(true)};
  Option<unsigned> threads{
      *this, "threads",
      llvm::cl::desc("Threads of the model's parallel loops: 1 (default) "
                     "compiles sequential code that needs no runtime; N > 1 "
                     "distributes loops over N OpenMP threads; 0 leaves the "
                     "count to the OpenMP runtime (OMP_NUM_THREADS, "
                     "omp_set_num_threads, else one per core)"),
      llvm::cl::init(1)};
  Option<std::string> profileEntry{
      *this, "profile",
      llvm::cl::desc("Instrument this function for qopt-run --profile: a "
                     "qopt_profile_mark(id) call after each compiled kernel "
                     "(see qopt-insert-profile-marks)"),
      llvm::cl::init("")};
  Option<mlir::qcpu::DotProductISA> dotProduct{
      *this, "dot-product",
      llvm::cl::desc("Dot-product instructions of the target (qopt-run and "
                     "qopt-compile choose from the target's features)"),
      llvm::cl::init(mlir::qcpu::DotProductISA::None),
      llvm::cl::values(
          clEnumValN(mlir::qcpu::DotProductISA::None, "none",
                     "portable vector code"),
          clEnumValN(mlir::qcpu::DotProductISA::AVX512VNNI, "avx512vnni",
                     "x86 vpdpbusd / vpdpwssd"),
          clEnumValN(mlir::qcpu::DotProductISA::I8MM, "i8mm", "AArch64 usdot"),
          clEnumValN(mlir::qcpu::DotProductISA::AVX2, "avx2",
                     "x86 vpmaddwd (8-bit activations widened to 16 bits)"))};
  Option<mlir::qcpu::ByteLookupISA> byteLookup{
      *this, "byte-lookup",
      llvm::cl::desc("Table-lookup instructions of the target for the "
                     "integer activations' 256-entry tables (qopt-run and "
                     "qopt-compile choose from the target's features)"),
      llvm::cl::init(mlir::qcpu::ByteLookupISA::None),
      llvm::cl::values(
          clEnumValN(mlir::qcpu::ByteLookupISA::None, "none",
                     "gathers"),
          clEnumValN(mlir::qcpu::ByteLookupISA::AVX512VBMI, "avx512vbmi",
                     "x86 vpermi2b"),
          clEnumValN(mlir::qcpu::ByteLookupISA::NEON, "neon",
                     "AArch64 tbl/tbx"))};
  Option<int64_t> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("Lanes of the target's widest vector register for "
                     "32-bit elements (qopt-run and qopt-compile choose from "
                     "the target's features: 16 with AVX-512, 8 with AVX2)"),
      llvm::cl::init(16)};
  Option<int64_t> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("Vector registers of the target (32 with AVX-512 or on "
                     "AArch64, 16 with AVX2)"),
      llvm::cl::init(32)};
  Option<LoweringPhase> compileTo{
      *this, "compile-to", llvm::cl::desc("Stop after this phase"),
      llvm::cl::init(LoweringPhase::LLVM),
      llvm::cl::values(
          clEnumValN(LoweringPhase::Integer, "integer",
                     "after integer-only"),
          clEnumValN(LoweringPhase::Linalg, "linalg",
                     "after convert-qnn-to-linalg and fusion"),
          clEnumValN(LoweringPhase::Vectorized, "vectorized",
                     "after tiling and vectorization"),
          clEnumValN(LoweringPhase::Bufferized, "bufferized",
                     "after bufferization"),
          clEnumValN(LoweringPhase::LLVM, "llvm", "the LLVM dialect"))};
};

/// What the quantization flow does to a float model.
enum class QuantizeMode { None, Static, Dynamic, WeightOnly, QAT };

/// The one description of a quantization flow: the tools' --quantize
/// options, the `qopt-ptq` pipeline and the Python module all fill this and
/// call buildQuantizationPipeline.
struct QuantizationOptions {
  QuantizeMode mode = QuantizeMode::Static;
  /// Static: the calibration data (one .npy path per model input) handed to
  /// the calibrator; empty: the module's observers are already calibrated.
  std::vector<std::string> calibrationData;
  mlir::qnn::CalibrationMethod calibrationMethod =
      mlir::qnn::CalibrationMethod::MSE;
  mlir::qnn::ActivationType activationType = mlir::qnn::ActivationType::Int8;
  bool perChannel = true;
  unsigned weightBits = 8; ///< 8 or 4
  /// Weight-only: weights of fully_connected / matmul quantized in blocks of
  /// this many along the reduction axis (qnn.block_dequantize); 0: per
  /// channel or per tensor.
  unsigned weightGroupSize = 0;
  /// Per-layer overrides: a JSON file's path or the JSON text itself.
  std::string config;
  /// How weights are rounded (learned: GPTQ on the calibration data,
  /// round-weights) and whether the bias absorbs their expected error.
  mlir::qnn::WeightRounding rounding = mlir::qnn::WeightRounding::Nearest;
  bool biasCorrection = false;
  /// Cross-layer equalization before quantization (--equalize).
  bool equalize = false;
  /// ReLU6 between equalized pairs becomes ReLU (equalize's relu6-as-relu).
  bool equalizeRelu6AsRelu = false;
  /// SmoothQuant before quantization (--smooth-quant; static mode, reads
  /// the calibration data): activation outlier channels of gemm/matmul
  /// inputs moved into the weights with migration strength
  /// `smoothQuantAlpha`, or the best per input with `smoothQuantSearch`.
  bool smoothQuant = false;
  double smoothQuantAlpha = 0.5;
  bool smoothQuantSearch = false;
  /// Require integer arithmetic inside the quantized model: float islands
  /// on 8-bit tensors become lookup tables, any other float op is an error
  /// (form-lookup-tables, verify-integer-only). The integer lowering itself
  /// runs in qopt-lower-to-llvm.
  bool integerOnly = false;
};

/// Which part of the flow buildQuantizationPipeline adds.
enum class QuantizationStages {
  Prepare,  ///< the float graph passes: fold-bn, fuse-ops, equalize,
            ///< smooth-quant
  Quantize, ///< the mode's quantization, then the integer-only check
  All,
};

/// The quantization flow: fold-bn, fuse-ops, (equalize, smooth-quant), then
/// by mode
/// quantize-static (calibrating with `calibrator` on
/// `options.calibrationData`), quantize-dynamic or lower-fake-quant, then
/// with `integerOnly` form-lookup-tables and verify-integer-only.
void buildQuantizationPipeline(
    mlir::OpPassManager &pm, const QuantizationOptions &options,
    mlir::qnn::CalibrationHooks hooks = {},
    QuantizationStages stages = QuantizationStages::All);

/// Where qopt-ptq stops.
enum class PTQPhase {
  Folded,    ///< after fold-bn and fuse-ops
  Quantized, ///< after quantize-static (the default)
  Integer,   ///< after integer-only
};

/// Options of `qopt-ptq`, the common post-training quantization flow.
struct PTQOptions : public mlir::PassPipelineOptions<PTQOptions> {
  ListOption<std::string> calibrationData{
      *this, "calibration-data",
      llvm::cl::desc("Calibrate in process on these .npy files (one per "
                     "model input); without them the module must already "
                     "carry calibrated observers")};
  Option<mlir::qnn::CalibrationMethod> calibrationMethod{
      *this, "calibration-method", llvm::cl::desc("Calibration method"),
      llvm::cl::init(mlir::qnn::CalibrationMethod::MSE),
      llvm::cl::values(
          clEnumValN(mlir::qnn::CalibrationMethod::MinMax, "minmax", ""),
          clEnumValN(mlir::qnn::CalibrationMethod::MovingAverage,
                     "moving_average", ""),
          clEnumValN(mlir::qnn::CalibrationMethod::Percentile, "percentile",
                     ""),
          clEnumValN(mlir::qnn::CalibrationMethod::Entropy, "entropy", ""),
          clEnumValN(mlir::qnn::CalibrationMethod::MSE, "mse", ""),
          clEnumValN(mlir::qnn::CalibrationMethod::KSigma, "ksigma", ""))};
  Option<mlir::qnn::ActivationType> activationType{
      *this, "activation-type", llvm::cl::desc("Activation storage"),
      llvm::cl::init(mlir::qnn::ActivationType::Int8),
      llvm::cl::values(
          clEnumValN(mlir::qnn::ActivationType::Int8, "int8", ""),
          clEnumValN(mlir::qnn::ActivationType::UInt8, "uint8", ""),
          clEnumValN(mlir::qnn::ActivationType::Int16, "int16", "16x8"))};
  Option<bool> perChannel{*this, "per-channel",
                          llvm::cl::desc("Per-channel weight scales"),
                          llvm::cl::init(true)};
  Option<unsigned> weightBits{*this, "weight-bits",
                              llvm::cl::desc("Weight bits: 8 or 4"),
                              llvm::cl::init(8)};
  Option<mlir::qnn::WeightRounding> rounding{
      *this, "rounding", llvm::cl::desc("Weight rounding"),
      llvm::cl::init(mlir::qnn::WeightRounding::Nearest),
      llvm::cl::values(
          clEnumValN(mlir::qnn::WeightRounding::Nearest, "nearest", ""),
          clEnumValN(mlir::qnn::WeightRounding::Learned, "learned",
                     "GPTQ from the calibration data"))};
  Option<bool> biasCorrection{
      *this, "bias-correction",
      llvm::cl::desc("Correct biases for the weights' expected error"),
      llvm::cl::init(false)};
  Option<bool> equalize{
      *this, "equalize",
      llvm::cl::desc("Cross-layer equalization before quantization"),
      llvm::cl::init(false)};
  Option<std::string> config{
      *this, "config",
      llvm::cl::desc("JSON per-layer overrides (see quantize-static)"),
      llvm::cl::init("")};
  Option<PTQPhase> compileTo{
      *this, "compile-to", llvm::cl::desc("Stop after this phase"),
      llvm::cl::init(PTQPhase::Quantized),
      llvm::cl::values(
          clEnumValN(PTQPhase::Folded, "folded", "after fold-bn, fuse-ops"),
          clEnumValN(PTQPhase::Quantized, "quantized",
                     "after quantize-static"),
          clEnumValN(PTQPhase::Integer, "integer", "after integer-only"))};
};

/// The best dot-product instructions of a target with `features` (LLVM
/// subtarget feature names, e.g. "avx512vnni").
mlir::qcpu::DotProductISA
chooseDotProduct(llvm::function_ref<bool(llvm::StringRef)> hasFeature);

/// The target's vector registers for code generation: 32-bit lanes per
/// register and register count.
struct VectorShape {
  int64_t width = 16;
  int64_t registers = 32;
};
VectorShape
chooseVectorShape(llvm::function_ref<bool(llvm::StringRef)> hasFeature);

/// Fills `options`' instruction choices (dot products, byte lookups, vector
/// shape) from the target's features.
void chooseTargetInstructions(
    LowerToLLVMOptions &options,
    llvm::function_ref<bool(llvm::StringRef)> hasFeature);

/// The best byte table-lookup instructions of a target with `features`.
mlir::qcpu::ByteLookupISA
chooseByteLookup(llvm::function_ref<bool(llvm::StringRef)> hasFeature);

/// qnn on tensors -> LLVM dialect: widen-float16, integer-only,
/// convert-qnn-to-linalg, elementwise fusion, tiling and vectorization,
/// one-shot bufferization, loops, LLVM conversion; up to
/// `options.compileTo`.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const LowerToLLVMOptions &options);

/// The quantization flow of `options` (buildQuantizationPipeline), then
/// the integer-only lowering; up to `options.compileTo`.
void buildPTQPipeline(mlir::OpPassManager &pm, const PTQOptions &options,
                      mlir::qnn::CalibrationHooks hooks = {});

/// Registers `qopt-lower-to-llvm` and `qopt-ptq` (the latter calibrating
/// with `calibrator`).
void registerPipelines(mlir::qnn::CalibrationHooks hooks = {});

} // namespace qopt

#endif // QOPT_PIPELINES_PIPELINES_H
