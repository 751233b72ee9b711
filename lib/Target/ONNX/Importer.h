//===- Importer.h - ONNX importer internals --------------------*- C++ -*-===//
//
// Part of qopt. Private to lib/Target/ONNX. The importer walks the
// (topologically sorted) ONNX graph once; each node goes to the handler the
// HandlerTable holds for its op type and the model's opset. Handlers live in
// one file per op family and use the Importer's helpers to read inputs and
// attributes, report errors and record results:
//
//   NNOps.cpp            Conv, ConvTranspose, Gemm, MatMul, Einsum,
//                        BatchNormalization, pools, Softmax, Dropout
//   ElementwiseOps.cpp   the quantizable activations and arithmetic (qnn ops)
//   MathOps.cpp          the long tail of elementwise math, comparisons,
//                        logic, Where, Pow, Mod, variadic Max/Min/Sum/Mean
//   ReductionOps.cpp     Reduce*, ArgMax/ArgMin, TopK
//   NormalizationOps.cpp LayerNormalization, InstanceNormalization, MVN,
//                        LRN, LogSoftmax, Hardmax
//   ShapeOps.cpp         Reshape, Flatten, Squeeze, Unsqueeze, Transpose,
//                        Concat, Pad, Shape, Gather, Identity
//   DataMovementOps.cpp  Slice, Split, Expand, Tile, Gather*, Size, Range,
//                        EyeLike, Trilu, OneHot, CumSum, DepthToSpace...
//   ScatterOps.cpp       ScatterND, ScatterElements
//   ResizeOps.cpp        Resize, Upsample
//   RecurrentOps.cpp     LSTM, GRU, RNN
//   ControlFlowOps.cpp   If, Loop
//   ConstantOps.cpp      Constant, ConstantOfShape, Cast, CastLike
//   QuantizedOps.cpp     QuantizeLinear, DequantizeLinear,
//                        DynamicQuantizeLinear, QLinearConv, QLinearMatMul,
//                        ConvInteger, MatMulInteger
//   MicrosoftOps.cpp     com.microsoft QOperator ops
// Shared machinery: ElementwiseBuilder.cpp (linalg.generic with ONNX
// broadcasting, constant folding), ScalarMath.h (scalar bodies),
// SymbolicShapes.cpp (shape arithmetic on dynamic dimensions).
//
// docs/adding-an-onnx-op.md says how to add one.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_LIB_TARGET_ONNX_IMPORTER_H
#define QOPT_LIB_TARGET_ONNX_IMPORTER_H

#include "qopt/Target/ONNX/ImportONNX.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <functional>
#include <limits>
#include <optional>

namespace qopt::onnx_import {

using namespace mlir;

constexpr int64_t kDyn = ShapedType::kDynamic;
/// The default-domain opsets qopt imports.
constexpr int64_t kMinOpset = 7, kMaxOpset = 21;
/// Bytes of the widest element type (f64, i64): a bound for size checks.
constexpr int64_t kMaxElementBytes = 8;
/// Constants larger than this are not folded at import time (a few bytes of
/// model can otherwise ask for gigabytes of folded constants); the op is kept
/// and runs at run time instead. Splat constants of any size stay splats.
constexpr int64_t kMaxFoldElements = int64_t(1) << 20;
/// Ops implemented with work quadratic in one axis (TopK, CumSum) refuse
/// longer axes rather than run for hours.
constexpr int64_t kMaxQuadraticAxis = 1 << 16;

//===----------------------------------------------------------------------===//
// Attribute access
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     StringRef name);
int64_t getInt(const onnx::NodeProto &node, StringRef name, int64_t dflt);
float getFloat(const onnx::NodeProto &node, StringRef name, float dflt);
std::string getString(const onnx::NodeProto &node, StringRef name,
                      StringRef dflt);
std::optional<SmallVector<int64_t>> getInts(const onnx::NodeProto &node,
                                            StringRef name);

/// Float -> integer conversion as ONNX's Cast does it (truncation), defined
/// for every input: NaN becomes 0 and out-of-range values saturate (a plain
/// cast would be undefined behaviour).
int64_t truncToInt64(double v);

//===----------------------------------------------------------------------===//
// The importer's state and helpers
//===----------------------------------------------------------------------===//

class HandlerTable;

/// A small 1-D (or 0-D) integer vector known element by element: constants,
/// or run-time `index` values (shapes of dynamic tensors and arithmetic on
/// them; SymbolicShapes.cpp).
struct SymbolicVector {
  SmallVector<OpFoldResult> elems;
  bool scalar = false;
  Type elementType;
};

/// The scalar operands of an elementwise body, with whether each came from
/// an unsigned ONNX type (arith sees them as signless).
struct ScalarArgs {
  ValueRange values;
  ArrayRef<bool> isUnsigned;
  Value operator[](unsigned i) const { return values[i]; }
  size_t size() const { return values.size(); }
};
using ScalarBodyFn =
    function_ref<Value(OpBuilder &, Location, const ScalarArgs &)>;

/// `t` as printed in MLIR, for diagnostics built from strings.
std::string typeString(Type t);

/// TensorProto data types newer than Debian's ONNX 1.12 (onnx.proto 1.16).
constexpr int32_t kOnnxUInt4 = 21;
constexpr int32_t kOnnxInt4 = 22;

class Importer {
public:
  Importer(MLIRContext *ctx, const onnx::ModelProto &model,
           StringRef bufferName, const ONNXImportOptions &options)
      : ctx(ctx), builder(ctx), model(model), bufferName(bufferName),
        options(options) {}

  OwningOpRef<ModuleOp> run();

  // Diagnostics: "ONNX node 'name' (OpType, opset N): ...".
  Location nodeLoc(const onnx::NodeProto &node);
  InFlightDiagnostic nodeError(const onnx::NodeProto &node);
  LogicalResult unsupported(const onnx::NodeProto &node, const Twine &what);

  // Types and tensors.
  FailureOr<Type> elementType(int32_t onnxType, Location loc);
  FailureOr<ElementsAttr> tensorToAttr(const onnx::TensorProto &t,
                                       Location loc);
  /// The `expectedBytes` bytes of an initializer stored in an external file:
  /// only a regular file inside the model's directory (after resolving
  /// symlinks), only the slice the tensor needs.
  FailureOr<std::string> readExternalData(const onnx::TensorProto &t,
                                          int64_t expectedBytes, Location loc);

  // Values: constants stay attributes until an op needs them as operands.
  bool has(StringRef name) const {
    return values.count(name) || constants.count(name);
  }
  Value get(StringRef name);
  ElementsAttr getConst(StringRef name) const {
    auto it = constants.find(name);
    return it == constants.end() ? ElementsAttr() : it->second;
  }
  /// A constant as a DenseElementsAttr (f32 resource blobs of at most
  /// kMaxFoldElements elements are expanded), for folding; null otherwise.
  DenseElementsAttr getDenseConst(StringRef name) const;
  /// Integer constants (shapes, axes, indices, zero points) of at most
  /// kMaxFoldElements elements.
  std::optional<SmallVector<int64_t>> getConstInts(StringRef name) const;
  std::optional<SmallVector<double>> getConstFloats(StringRef name) const;
  RankedTensorType typeOf(StringRef name);
  // Results of nodes. An optional output the node does not name is dropped.
  void set(const onnx::NodeProto &node, Value v, unsigned i = 0) {
    if ((int)i >= node.output_size() || node.output(i).empty())
      return;
    values[node.output(i)] = v;
    // A result folded to a constant is known as one (shape arithmetic).
    if (auto c = v.getDefiningOp<arith::ConstantOp>())
      if (auto e = dyn_cast<ElementsAttr>(c.getValue()))
        constants[node.output(i)] = e;
  }
  void setConst(const onnx::NodeProto &node, ElementsAttr a, unsigned i = 0) {
    if ((int)i < node.output_size() && !node.output(i).empty())
      constants[node.output(i)] = a;
  }
  /// Makes the tensor `name` stand for `v` from now on (e.g. a quantized
  /// value's raw integer view, for integer arithmetic on it).
  void rebind(StringRef name, Value v) { values[name] = v; }
  /// Optional input i: present and non-empty.
  bool hasInput(const onnx::NodeProto &node, int i) const {
    return node.input_size() > i && !node.input(i).empty();
  }
  /// Between `min` and `max` inputs, the first `min` non-empty, all defined.
  LogicalResult requireInputs(const onnx::NodeProto &node, int min, int max);

  // Shared pieces of handlers.
  Value reshapeTo(Location loc, Value v, ArrayRef<int64_t> shape);
  Value transpose(Location loc, Value v, ArrayRef<int64_t> perm);
  /// strides/dilations/pads of a 2-D window op (auto_pad resolved against
  /// `inShape` and `kernel`); NNOps.cpp.
  LogicalResult windowAttrs(const onnx::NodeProto &node,
                            ArrayRef<int64_t> inShape, ArrayRef<int64_t> kernel,
                            SmallVectorImpl<int64_t> &strides,
                            SmallVectorImpl<int64_t> &dilations,
                            SmallVectorImpl<int64_t> &pads);
  /// conv2d with the node's window attributes; the result element type is
  /// `resultElement` (float, or the output's quantized type). With
  /// `inputPadded`, `x` already carries the node's padding (the conv pads
  /// nothing); NNOps.cpp.
  LogicalResult emitConv(const onnx::NodeProto &node, Value x, Value w,
                         Value bias, Type resultElement,
                         bool inputPadded = false);

  // Elementwise ops without a qnn op (ElementwiseBuilder.cpp): one
  // linalg.generic over the ONNX-broadcast shape of `operands`, computing
  // each element with `body`; the result has element type `resultElement`.
  FailureOr<Value> mapElements(const onnx::NodeProto &node,
                               ArrayRef<Value> operands, Type resultElement,
                               ScalarBodyFn body);
  FailureOr<SmallVector<int64_t>> broadcastShape(const onnx::NodeProto &node,
                                                 ArrayRef<Value> operands);
  /// The dynamic sizes of `shape`, read from operands that have them.
  SmallVector<Value> resultDims(Location loc, ArrayRef<int64_t> shape,
                                ArrayRef<Value> operands);
  Value toSignless(Location loc, Value v);
  Value fromSignless(Location loc, Value v, Type element);

  // Quantized tensors travel as !quant.uniform values; raw int8/uint8/int32
  // views are made with quant.scast (+ tensor.bitcast for uint8, which MLIR
  // stores as signless i8). QuantizedOps.cpp.
  FailureOr<quant::QuantizedType> quantType(const onnx::NodeProto &node,
                                            int scaleIdx, int zpIdx,
                                            Type storageIfNoZp, int64_t rank,
                                            int64_t axis);
  Value toQuant(Location loc, Value v, quant::QuantizedType q);
  Value toRaw(Location loc, Value v);
  FailureOr<Value> quantOperand(const onnx::NodeProto &node, int i,
                                quant::QuantizedType q);
  /// The unit-scale quantized type of a ConvInteger / MatMulInteger operand.
  FailureOr<quant::QuantizedType> unitScaleType(const onnx::NodeProto &node,
                                                int idx, int zpIdx,
                                                int64_t axis, int64_t channels);
  /// Raw integer tensors (ONNX int8/uint8 data) seen as quantized with scale
  /// 1 and zero point 0, so integer Relu / Clip / MaxPool reuse the
  /// quantized ops; other values are returned unchanged.
  Value asUnitQuantized(Location loc, Value v);

  /// Imports the initializers and nodes of a subgraph (an If branch, a Loop
  /// body) at the builder's insertion point; names of the enclosing graphs
  /// stay visible.
  LogicalResult importSubgraph(const onnx::GraphProto &graph,
                               const onnx::NodeProto &owner);
  /// The value names defined so far, to restore after importing a region
  /// (what a branch defines is not visible after it).
  struct Scope {
    llvm::StringMap<Value> values;
    llvm::StringMap<ElementsAttr> constants;
    llvm::StringMap<SymbolicVector> symbolic;
  };
  Scope saveScope() const { return {values, constants, symbolic}; }
  void restoreScope(Scope s) {
    values = std::move(s.values);
    constants = std::move(s.constants);
    symbolic = std::move(s.symbolic);
  }

  // Sizes known only at run time (RowCounts.cpp). A tensor whose extent
  // along one axis depends on the data (NonMaxSuppression's selected boxes)
  // is a static tensor padded to an upper bound, plus a 0-d i64 `count` of
  // the rows that are real; padding rows are zero. Ops that treat rows
  // independently (elementwise, Gather by those rows, Slice and Concat of
  // other axes, ...) carry the count to their outputs; a graph output keeps
  // it as an extra result. Any other reader is refused: it would mix
  // padding into real values.
  struct RowCount {
    int64_t axis;
    Value count;
    std::string source; ///< the node that made the size data-dependent
  };
  const RowCount *getRowCount(StringRef name) const {
    auto it = rowCounts.find(name);
    return it == rowCounts.end() ? nullptr : &it->second;
  }
  void setRowCount(StringRef name, RowCount r) { rowCounts[name] = r; }
  /// Output `i` of `node` has `count` real rows along `axis` (the node is
  /// their source). Refused inside If/Loop bodies, which cannot return a
  /// count beside their results.
  LogicalResult setDataDependentOutput(const onnx::NodeProto &node, int i,
                                       int64_t axis, Value count);
  /// The value of a one-element tensor (a run-time K, a slice bound), as
  /// i64.
  Value scalarI64(Location loc, Value oneElement);
  /// After `node` was imported: the row counts of its outputs from those of
  /// its inputs, or an error if it cannot keep padding apart.
  LogicalResult propagateRowCounts(const onnx::NodeProto &node);
  int getSubgraphDepth() const { return subgraphDepth; }

  // Shape arithmetic on dynamic dimensions (SymbolicShapes.cpp).
  /// Handles `node` if it is shape arithmetic on a symbolic vector (or the
  /// Shape of a dynamic tensor); failure() if not (nothing was done).
  LogicalResult trySymbolic(const onnx::NodeProto &node);
  const SymbolicVector *getSymbolic(StringRef name) const;
  void setSymbolic(const onnx::NodeProto &node, SymbolicVector v,
                   unsigned i = 0);
  /// tensor.dim of `v`, one per (value, dimension) and block.
  Value dimOf(Location loc, Value v, int64_t d);

  MLIRContext *ctx;
  OpBuilder builder;
  const onnx::ModelProto &model;
  std::string bufferName;
  const ONNXImportOptions &options;
  /// Bytes of tensor data imported so far, checked against the memory limit
  /// (ONNXImportOptions::memoryLimit) before each tensor's data is read.
  uint64_t importedTensorBytes = 0;
  /// Node name -> ONNX op type of every imported node (subgraphs too): the
  /// module's `onnx.op_types` attribute, which per-layer configs match by
  /// op type whatever the node was lowered to.
  llvm::StringMap<std::string> nodeOpTypes;
  /// The model's default-domain opset.
  int64_t opset = 0;

private:
  LogicalResult importInputs(SmallVectorImpl<Type> &types,
                             SmallVectorImpl<std::string> &names);
  /// The nodes of `graph` in an order where every value is produced before
  /// it is read (the file's own order when it already is one; ONNX allows
  /// any order of a DAG), or failure with an error naming a node on a
  /// cycle.
  FailureOr<SmallVector<const onnx::NodeProto *>>
  topologicalOrder(const onnx::GraphProto &graph);
  /// Imports the nodes of `graph` in topological order.
  LogicalResult importNodes(const HandlerTable &table,
                            const onnx::GraphProto &graph);
  LogicalResult importNode(const HandlerTable &table,
                           const onnx::NodeProto &node);

  llvm::StringMap<Value> values;
  llvm::StringMap<ElementsAttr> constants;
  llvm::StringMap<SymbolicVector> symbolic;
  llvm::StringMap<RowCount> rowCounts;
  int subgraphDepth = 0;
  llvm::DenseMap<std::pair<const void *, int64_t>, Value> dimCache;
};

//===----------------------------------------------------------------------===//
// Handlers by op type and opset
//===----------------------------------------------------------------------===//

using Handler =
    std::function<LogicalResult(Importer &, const onnx::NodeProto &)>;

/// Handlers keyed by op type and the opset they apply from, as torch-mlir's
/// `onOp(name, sinceVersion, fn)`: a model of opset N uses, for each op, the
/// handler with the largest `since` <= N. Opset-dependent semantics (an
/// attribute that became an input) are separate handlers, not branches.
class HandlerTable {
public:
  void onOp(StringRef opType, int64_t since, Handler handler);
  /// The handler for `opType` at `opset`, or null.
  const Handler *lookup(StringRef opType, int64_t opset) const;
  /// Whether any opset has a handler for `opType`.
  bool knows(StringRef opType) const { return table.count(opType); }
  /// Every op type with the opsets its handlers start at, sorted by name.
  std::vector<std::pair<std::string, SmallVector<int64_t>>> entries() const;

private:
  llvm::StringMap<SmallVector<std::pair<int64_t, Handler>, 1>> table;
};

/// Each family file registers its handlers.
void registerNNHandlers(HandlerTable &table);
void registerElementwiseHandlers(HandlerTable &table);
void registerShapeHandlers(HandlerTable &table);
void registerConstantHandlers(HandlerTable &table);
void registerQuantizedHandlers(HandlerTable &table);
void registerMathHandlers(HandlerTable &table);
void registerReductionHandlers(HandlerTable &table);
void registerDataMovementHandlers(HandlerTable &table);
void registerResizeHandlers(HandlerTable &table);
void registerControlFlowHandlers(HandlerTable &table);
void registerRecurrentHandlers(HandlerTable &table);
void registerDataDependentHandlers(HandlerTable &table);
/// Gather on run-time data or indices (DataMovementOps.cpp).
LogicalResult importRuntimeGather(Importer &im, const onnx::NodeProto &node);

/// Add/Sub/Mul/Div ('+', '-', '*', '/') as a linalg.generic: integer
/// arithmetic on run-time values, and arithmetic on small constants, which
/// folds (MathOps.cpp; float arithmetic on run-time values is qnn ops).
FailureOr<Value> arithmeticGeneric(Importer &im, const onnx::NodeProto &node,
                                   char opChar);
/// A linalg.generic over `outType` (dynamic sizes `dyn`) computing each
/// element from the loop indices and the elements of `ins` read with
/// `inMaps` (DataMovementOps.cpp).
Value generate(
    Importer &im, Location loc, RankedTensorType outType, ValueRange dyn,
    ValueRange ins, ArrayRef<AffineMap> inMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange ivs, ValueRange args)>
        body);
/// tensor.dim of each dynamic dimension of `t`.
SmallVector<Value> dynDims(Importer &im, Location loc, Value t);
/// log(softmax(x)) along `axis`: x - max - log(sum(exp(x - max)))
/// (NormalizationOps.cpp).
FailureOr<Value> logSoftmax(Importer &im, const onnx::NodeProto &node, Value x,
                            int64_t axis);
/// Sum (or max) of `x` over `axes`, with size-1 dimensions kept in their
/// place if `keep` (ReductionOps.cpp).
Value reduceAxes(Importer &im, Location loc, Value x, ArrayRef<int64_t> axes,
                 bool isMax, bool keep);
/// The number of elements of `x` along `axes`, as a rank-0 tensor of x's
/// element type (run-time for dynamic sizes).
Value elementCount(Importer &im, Location loc, Value x, ArrayRef<int64_t> axes);
void registerNormalizationHandlers(HandlerTable &table);
/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (LossOps.cpp).
void registerLossHandlers(HandlerTable &table);
/// GridSample (GridSampleOps.cpp).
void registerGridSampleHandlers(HandlerTable &table);
void registerScatterHandlers(HandlerTable &table);
/// com.microsoft ops, registered as "com.microsoft.<OpType>".
void registerMicrosoftHandlers(HandlerTable &table);
/// com.microsoft MatMulNBits (BlockwiseOps.cpp).
void registerBlockwiseHandlers(HandlerTable &table);
/// DequantizeLinear with block_size (opset 21; BlockwiseOps.cpp).
LogicalResult importBlockedDequantizeLinear(Importer &im,
                                            const onnx::NodeProto &node);
/// Clip with a run-time min or max (MathOps.cpp).
LogicalResult importRuntimeClip(Importer &im, const onnx::NodeProto &node);

/// All of them (built once).
const HandlerTable &getHandlerTable();

} // namespace qopt::onnx_import

#endif // QOPT_LIB_TARGET_ONNX_IMPORTER_H
