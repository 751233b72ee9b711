//===- Pipelines.cpp - qopt's registered pass pipelines -------------------===//
//
// Part of qopt. Pipelines are built from the passes' typed constructors, so
// that an option or pass name that changes upstream fails to compile instead
// of failing at run time.
//
//===----------------------------------------------------------------------===//

#include "qopt/Pipelines/Pipelines.h"

#include "qopt/Codegen/CPU/Transforms/Passes.h"
#include "qopt/Conversion/Passes.h"
#include "qopt/Dialect/QNN/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/OpenMPToLLVM/ConvertOpenMPToLLVM.h"
#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void qopt::buildLowerToLLVMPipeline(OpPassManager &pm,
                                    const LowerToLLVMOptions &options) {
  using func::FuncOp;
  LoweringPhase stop = options.compileTo;

  // Half precision computes in f32: CPUs without half-precision arithmetic
  // (x86 before AVX512-FP16) would convert around every op, and ONNX
  // Runtime's CPU provider runs fp16 models through f32 kernels too.
  pm.addNestedPass<FuncOp>(qnn::createWidenFloat16Pass());
  // Quantized ops -> integer arithmetic, then everything -> linalg.
  qnn::IntegerOnlyPassOptions integer;
  integer.eightBitDotProducts = options.dotProduct != qcpu::DotProductISA::AVX2;
  pm.addPass(qnn::createIntegerOnlyPass(integer));
  if (stop == LoweringPhase::Integer)
    return;
  pm.addNestedPass<FuncOp>(qnn::createConvertQNNToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<FuncOp>(qcpu::createFuseElementwisePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (stop == LoweringPhase::Linalg)
    return;

  if (options.vectorize) {
    qcpu::SelectCPUStrategyPassOptions strategy;
    strategy.vectorWidth = options.vectorWidth;
    strategy.vectorRegisters = options.vectorRegisters;
    pm.addNestedPass<FuncOp>(qcpu::createSelectCPUStrategyPass(strategy));
    qcpu::TileAndVectorizePassOptions tiling;
    tiling.parallel = options.threads != 1;
    pm.addNestedPass<FuncOp>(qcpu::createTileAndVectorizePass(tiling));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    pm.addNestedPass<FuncOp>(qcpu::createPadInPlacePass());
  }
  if (stop == LoweringPhase::Vectorized)
    return;

  // Bufferization with identity layouts at function boundaries, results as
  // caller-allocated out-parameters (repeated results copied first: see
  // qopt-distinct-result-buffers).
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Recurrent layers yield a new state tensor per step.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (options.outParams) {
    pm.addNestedPass<FuncOp>(qcpu::createDistinctResultBuffersPass());
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  bufferization::buildBufferDeallocationPipeline(pm);
  // The entry block's intermediate buffers share one arena by lifetime (one
  // allocation per call instead of dozens of mmap'd ones).
  pm.addNestedPass<FuncOp>(qcpu::createPlanBuffersPass());
  pm.addNestedPass<FuncOp>(qcpu::createLowerStridedCopiesPass());
  if (options.vectorize) {
    pm.addNestedPass<FuncOp>(qcpu::createHoistVectorTransfersPass());
    pm.addPass(createCanonicalizerPass());
  }
  // Parallel tile loops (scf.forall) become OpenMP worksharing loops, run
  // by LLVM's OpenMP runtime (libomp).
  if (options.vectorize && options.threads != 1) {
    pm.addPass(createForallToParallelLoopPass());
    ConvertSCFToOpenMPPassOptions omp;
    omp.numThreads = options.threads;
    pm.addPass(createConvertSCFToOpenMPPass(omp));
    // The loop bodies come wrapped in memref.alloca_scope; without allocas
    // in them the canonicalizer inlines the scope (whose single-block region
    // would not survive scf-to-cf). This runs before the intrinsic calls
    // below exist: a call without declared memory effects may allocate, so
    // a scope holding one stayed (PaddleOCR's int8 models with byte tables
    // on 2 threads failed to compile).
    pm.addPass(createCanonicalizerPass());
  }
  if (options.vectorize) {
    qcpu::LowerDotProductsPassOptions dot;
    dot.dotProduct = options.dotProduct;
    pm.addNestedPass<FuncOp>(qcpu::createLowerDotProductsPass(dot));
    qcpu::LowerByteLookupsPassOptions lookup;
    lookup.isa = options.byteLookup;
    pm.addNestedPass<FuncOp>(qcpu::createLowerByteLookupsPass(lookup));
  }
  if (!options.profileEntry.empty()) {
    qcpu::InsertProfileMarksPassOptions marks;
    marks.entry = options.profileEntry;
    pm.addPass(qcpu::createInsertProfileMarksPass(marks));
  }
  if (stop == LoweringPhase::Bufferized)
    return;

  // Loops and vectors to LLVM, as tested in the toolchain notes: transfers
  // fully unrolled to rank 1, then the dialect conversions.
  pm.addNestedPass<FuncOp>(createConvertLinalgToLoopsPass());
  VectorTransferToSCFOptions vectorToSCF;
  vectorToSCF.enableFullUnroll();
  pm.addPass(createConvertVectorToSCFPass(vectorToSCF));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // Math first: vector math with an LLVM intrinsic stays vector; the rest
  // (erf) becomes libm calls on extracted elements, which the vector
  // lowering below then handles.
  if (options.vectorize)
    pm.addNestedPass<FuncOp>(qcpu::createApproximateVectorMathPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  if (options.threads != 1)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void qopt::buildQuantizationPipeline(OpPassManager &pm,
                                     const QuantizationOptions &options,
                                     qnn::CalibrationHooks hooks,
                                     QuantizationStages stages) {
  using func::FuncOp;
  if (stages != QuantizationStages::Quantize) {
    // fp16/bf16 models quantize like f32 ones: observers watch f32 and
    // weights are quantized from their exact values.
    if (options.mode != QuantizeMode::None)
      pm.addNestedPass<FuncOp>(qnn::createWidenFloat16Pass());
    pm.addNestedPass<FuncOp>(qnn::createFoldBatchNormPass());
    pm.addNestedPass<FuncOp>(qnn::createFuseOpsPass());
    if (options.equalize) {
      qnn::EqualizeCrossLayerPassOptions equalize;
      equalize.relu6AsRelu = options.equalizeRelu6AsRelu;
      pm.addNestedPass<FuncOp>(qnn::createEqualizeCrossLayerPass(equalize));
    }
    // On the float graph, so that a search calibrating once sees the
    // smoothed activations.
    if (options.smoothQuant && options.mode == QuantizeMode::Static) {
      qnn::SmoothQuantPassOptions smooth;
      smooth.alpha = options.smoothQuantAlpha;
      smooth.searchAlpha = options.smoothQuantSearch;
      smooth.weightBits = options.weightBits;
      smooth.calibrationData.assign(options.calibrationData.begin(),
                                    options.calibrationData.end());
      smooth.config = options.config;
      pm.addPass(qnn::createSmoothQuantPass(smooth, hooks.layerInputs));
    }
  }
  if (stages == QuantizationStages::Prepare)
    return;
  switch (options.mode) {
  case QuantizeMode::None:
    return;
  case QuantizeMode::Static: {
    qnn::QuantizeStaticPassOptions quantize;
    quantize.calibrationData.assign(options.calibrationData.begin(),
                                    options.calibrationData.end());
    quantize.calibrationMethod = options.calibrationMethod;
    quantize.activationType = options.activationType;
    quantize.perChannel = options.perChannel;
    quantize.weightBits = options.weightBits;
    quantize.config = options.config;
    if (options.rounding == qnn::WeightRounding::Learned ||
        options.biasCorrection) {
      qnn::RoundWeightsPassOptions round;
      round.rounding = options.rounding;
      round.biasCorrection = options.biasCorrection;
      round.perChannel = options.perChannel;
      round.weightBits = options.weightBits;
      round.calibrationData = quantize.calibrationData;
      round.config = options.config;
      pm.addPass(qnn::createRoundWeightsPass(round, hooks.layerInputs));
    }
    pm.addPass(qnn::createQuantizeStaticPass(quantize, hooks.calibrate));
    break;
  }
  case QuantizeMode::Dynamic:
  case QuantizeMode::WeightOnly: {
    qnn::QuantizeDynamicPassOptions dynamic;
    dynamic.mode = options.mode == QuantizeMode::Dynamic
                       ? qnn::DynamicQuantMode::Dynamic
                       : qnn::DynamicQuantMode::WeightOnly;
    dynamic.weightBits = options.weightBits;
    dynamic.perChannel = options.perChannel;
    dynamic.groupSize = options.weightGroupSize;
    pm.addNestedPass<FuncOp>(qnn::createQuantizeDynamicPass(dynamic));
    break;
  }
  case QuantizeMode::QAT:
    pm.addPass(qnn::createLowerFakeQuantPass());
    break;
  }
  if (options.integerOnly) {
    pm.addPass(qnn::createFormLookupTablesPass());
    pm.addPass(qnn::createVerifyIntegerOnlyPass());
  }
}

void qopt::buildPTQPipeline(OpPassManager &pm, const PTQOptions &options,
                            qnn::CalibrationHooks hooks) {
  QuantizationOptions flow;
  flow.mode = options.compileTo == PTQPhase::Folded ? QuantizeMode::None
                                                    : QuantizeMode::Static;
  flow.calibrationData.assign(options.calibrationData.begin(),
                              options.calibrationData.end());
  flow.calibrationMethod = options.calibrationMethod;
  flow.activationType = options.activationType;
  flow.perChannel = options.perChannel;
  flow.weightBits = options.weightBits;
  flow.config = options.config;
  flow.equalize = options.equalize;
  flow.rounding = options.rounding;
  flow.biasCorrection = options.biasCorrection;
  buildQuantizationPipeline(pm, flow, std::move(hooks));
  if (options.compileTo == PTQPhase::Integer)
    pm.addPass(qnn::createIntegerOnlyPass());
}

qopt::VectorShape
qopt::chooseVectorShape(llvm::function_ref<bool(llvm::StringRef)> hasFeature) {
  if (hasFeature("avx512f"))
    return {16, 32};
  // AVX2 (and AVX): sixteen 256-bit registers. A tile sized for AVX-512
  // is split into twice as many registers as exist, and spills.
  if (hasFeature("avx2") || hasFeature("avx"))
    return {8, 16};
  // AArch64 Advanced SIMD: thirty-two 128-bit registers.
  if (hasFeature("neon"))
    return {4, 32};
  return {};
}

void qopt::chooseTargetInstructions(
    LowerToLLVMOptions &options,
    llvm::function_ref<bool(llvm::StringRef)> hasFeature) {
  options.dotProduct = chooseDotProduct(hasFeature);
  options.byteLookup = chooseByteLookup(hasFeature);
  VectorShape shape = chooseVectorShape(hasFeature);
  options.vectorWidth = shape.width;
  options.vectorRegisters = shape.registers;
}

qcpu::DotProductISA
qopt::chooseDotProduct(llvm::function_ref<bool(llvm::StringRef)> hasFeature) {
  // vpdpbusd on 512-bit vectors, and on 256/128-bit ones (VL) for tiles
  // with fewer channels.
  if (hasFeature("avx512vnni") && hasFeature("avx512vl") &&
      hasFeature("avx512bw"))
    return qcpu::DotProductISA::AVX512VNNI;
  // AArch64 usdot (unsigned x signed, FEAT_I8MM).
  if (hasFeature("i8mm"))
    return qcpu::DotProductISA::I8MM;
  // x86 without VNNI: vpmaddwd on 16-bit pairs (exact), with 8-bit
  // activations widened; the portable 8-bit code ran int8 convolutions at
  // 1-4 GOP/s, 2-3x slower than fp32.
  if (hasFeature("avx2"))
    return qcpu::DotProductISA::AVX2;
  return qcpu::DotProductISA::None;
}

qcpu::ByteLookupISA
qopt::chooseByteLookup(llvm::function_ref<bool(llvm::StringRef)> hasFeature) {
  // vpermi2b on 512-bit vectors (Ice Lake and later, Zen 4 and later).
  if (hasFeature("avx512vbmi") && hasFeature("avx512bw"))
    return qcpu::ByteLookupISA::AVX512VBMI;
  // AArch64 Advanced SIMD (every AArch64 Linux target has it).
  if (hasFeature("neon"))
    return qcpu::ByteLookupISA::NEON;
  return qcpu::ByteLookupISA::None;
}

void qopt::registerPipelines(qnn::CalibrationHooks hooks) {
  PassPipelineRegistration<LowerToLLVMOptions>(
      "qopt-lower-to-llvm",
      "Lower qnn on tensors to the LLVM dialect (JIT and AOT); "
      "compile-to=<phase> stops early",
      buildLowerToLLVMPipeline);
  PassPipelineRegistration<PTQOptions>(
      "qopt-ptq",
      "Post-training quantization: fold-bn, fuse-ops, quantize-static "
      "(calibration-data=... calibrates in process), compile-to=integer "
      "adds integer-only",
      [hooks](OpPassManager &pm, const PTQOptions &options) {
        buildPTQPipeline(pm, options, hooks);
      });
}
