//===- ImportONNX.cpp - ONNX model importer -------------------------------===//
//
// Part of qopt. One pass over the (topologically sorted) ONNX graph. Each op
// type has a handler that reads its attributes for the model's opset,
// computes static result shapes with the same helpers the qnn verifiers use,
// and emits qnn ops. Constant sub-graphs (shape arithmetic, Constant nodes,
// Cast/Gather/ConstantOfShape on constants) are evaluated here, so the
// emitted graph only holds real computation.
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/ONNX/ImportONNX.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlir::qnn;
using qopt::ONNXImportOptions;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;
constexpr int64_t kMinOpset = 9, kMaxOpset = 17;
/// Bytes of the widest element type (f64, i64): a bound for size checks.
constexpr int64_t kMaxElementBytes = 8;
/// Constants larger than this are not folded at import time (a few bytes of
/// model can otherwise ask for gigabytes of folded constants); the op is kept
/// and runs at run time instead. Splat constants of any size stay splats.
constexpr int64_t kMaxFoldElements = int64_t(1) << 20;

/// Float -> integer conversion as ONNX's Cast does it (truncation), defined
/// for every input: NaN becomes 0 and out-of-range values saturate (a plain
/// cast would be undefined behaviour).
int64_t truncToInt64(double v) {
  if (std::isnan(v))
    return 0;
  if (v >= 9.2233720368547758e18)
    return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18)
    return std::numeric_limits<int64_t>::min();
  return (int64_t)std::trunc(v);
}

//===----------------------------------------------------------------------===//
// Attribute access
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     StringRef name) {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t getInt(const onnx::NodeProto &node, StringRef name, int64_t dflt) {
  const auto *a = findAttr(node, name);
  return a ? a->i() : dflt;
}

float getFloat(const onnx::NodeProto &node, StringRef name, float dflt) {
  const auto *a = findAttr(node, name);
  return a ? a->f() : dflt;
}

std::string getString(const onnx::NodeProto &node, StringRef name,
                      StringRef dflt) {
  const auto *a = findAttr(node, name);
  return a ? a->s() : dflt.str();
}

std::optional<SmallVector<int64_t>> getInts(const onnx::NodeProto &node,
                                            StringRef name) {
  const auto *a = findAttr(node, name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

//===----------------------------------------------------------------------===//
// The importer
//===----------------------------------------------------------------------===//

class Importer {
public:
  Importer(MLIRContext *ctx, const onnx::ModelProto &model,
           StringRef bufferName, const ONNXImportOptions &options)
      : ctx(ctx), builder(ctx), model(model), bufferName(bufferName),
        options(options) {}

  OwningOpRef<ModuleOp> run();

private:
  using Handler = std::function<LogicalResult(const onnx::NodeProto &)>;

  // Diagnostics.
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
  std::optional<SmallVector<int64_t>> getConstInts(StringRef name) const;
  std::optional<SmallVector<double>> getConstFloats(StringRef name) const;
  RankedTensorType typeOf(StringRef name);
  // Results of nodes. An optional output the node does not name is dropped.
  void set(const onnx::NodeProto &node, Value v, unsigned i = 0) {
    if ((int)i < node.output_size() && !node.output(i).empty())
      values[node.output(i)] = v;
  }
  void setConst(const onnx::NodeProto &node, ElementsAttr a, unsigned i = 0) {
    if ((int)i < node.output_size() && !node.output(i).empty())
      constants[node.output(i)] = a;
  }
  /// Optional input i: present and non-empty.
  bool hasInput(const onnx::NodeProto &node, int i) const {
    return node.input_size() > i && !node.input(i).empty();
  }
  LogicalResult requireInputs(const onnx::NodeProto &node, int min, int max);

  LogicalResult importInputs(SmallVectorImpl<Type> &types,
                             SmallVectorImpl<std::string> &names);
  LogicalResult importNode(const onnx::NodeProto &node);
  void registerHandlers();

  // Shared pieces of handlers.
  LogicalResult windowAttrs(const onnx::NodeProto &node,
                            ArrayRef<int64_t> inShape,
                            ArrayRef<int64_t> kernel,
                            SmallVectorImpl<int64_t> &strides,
                            SmallVectorImpl<int64_t> &dilations,
                            SmallVectorImpl<int64_t> &pads);
  Value reshapeTo(Location loc, Value v, ArrayRef<int64_t> shape);
  Value transpose(Location loc, Value v, ArrayRef<int64_t> perm);

  template <typename OpTy>
  LogicalResult unary(const onnx::NodeProto &node);
  template <typename OpTy>
  LogicalResult binary(const onnx::NodeProto &node);

  LogicalResult importConv(const onnx::NodeProto &node);
  LogicalResult importGemm(const onnx::NodeProto &node);
  LogicalResult importMatMul(const onnx::NodeProto &node);
  LogicalResult importBatchNorm(const onnx::NodeProto &node);
  LogicalResult importClip(const onnx::NodeProto &node);
  LogicalResult importPool(const onnx::NodeProto &node, bool isMax);
  LogicalResult importSoftmax(const onnx::NodeProto &node);
  LogicalResult importFlatten(const onnx::NodeProto &node);
  LogicalResult importReshape(const onnx::NodeProto &node);
  LogicalResult importSqueeze(const onnx::NodeProto &node, bool unsqueeze);
  LogicalResult importTranspose(const onnx::NodeProto &node);
  LogicalResult importConcat(const onnx::NodeProto &node);
  LogicalResult importPad(const onnx::NodeProto &node);
  LogicalResult importConstant(const onnx::NodeProto &node);
  LogicalResult importShape(const onnx::NodeProto &node);
  LogicalResult importGather(const onnx::NodeProto &node);
  LogicalResult importCast(const onnx::NodeProto &node);
  LogicalResult importConstantOfShape(const onnx::NodeProto &node);

  // Quantized ONNX. Quantized tensors travel as !quant.uniform values; raw
  // int8/uint8/int32 views are made with quant.scast (+ tensor.bitcast for
  // uint8, which MLIR stores as signless i8).
  FailureOr<quant::QuantizedType>
  quantType(const onnx::NodeProto &node, int scaleIdx, int zpIdx,
            Type storageIfNoZp, int64_t rank, int64_t axis);
  Value toQuant(Location loc, Value v, quant::QuantizedType q);
  Value toRaw(Location loc, Value v);
  FailureOr<Value> quantOperand(const onnx::NodeProto &node, int i,
                                quant::QuantizedType q);
  LogicalResult importQuantizeLinear(const onnx::NodeProto &node);
  LogicalResult importDequantizeLinear(const onnx::NodeProto &node);
  LogicalResult importQLinearConv(const onnx::NodeProto &node);
  LogicalResult importQLinearMatMul(const onnx::NodeProto &node);
  FailureOr<quant::QuantizedType> unitScaleType(const onnx::NodeProto &node,
                                                int idx, int zpIdx,
                                                int64_t axis, int64_t channels);
  LogicalResult importConvInteger(const onnx::NodeProto &node);
  LogicalResult importMatMulInteger(const onnx::NodeProto &node);
  /// Raw integer tensors (ONNX int8/uint8 data) seen as quantized with scale
  /// 1 and zero point 0, so integer Relu / Clip / MaxPool reuse the
  /// quantized ops; other values are returned unchanged.
  Value asUnitQuantized(Location loc, Value v);
  /// conv2d with the node's window attributes; the result element type is
  /// `resultElement` (float, or the output's quantized type).
  LogicalResult emitConv(const onnx::NodeProto &node, Value x, Value w,
                         Value bias, Type resultElement);

  MLIRContext *ctx;
  OpBuilder builder;
  const onnx::ModelProto &model;
  std::string bufferName;
  const ONNXImportOptions &options;
  int64_t opset = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<ElementsAttr> constants;
  llvm::StringMap<Handler> handlers;
};

/// The name diagnostics use for a node: its name, else its first output.
static std::string displayName(const onnx::NodeProto &node) {
  if (!node.name().empty())
    return node.name();
  if (node.output_size() > 0 && !node.output(0).empty())
    return node.output(0);
  return "<unnamed>";
}

Location Importer::nodeLoc(const onnx::NodeProto &node) {
  return NameLoc::get(StringAttr::get(ctx, displayName(node)),
                      FileLineColLoc::get(ctx, bufferName, 0, 0));
}

InFlightDiagnostic Importer::nodeError(const onnx::NodeProto &node) {
  return emitError(nodeLoc(node))
         << "ONNX node '" << displayName(node) << "' (" << node.op_type()
         << ", opset " << opset << "): ";
}

LogicalResult Importer::unsupported(const onnx::NodeProto &node,
                                    const Twine &what) {
  return nodeError(node) << "unsupported: " << what;
}

LogicalResult Importer::requireInputs(const onnx::NodeProto &node, int min,
                                      int max) {
  if (node.input_size() < min || node.input_size() > max)
    return nodeError(node) << "expects " << min
                           << (min == max ? "" : " to " + std::to_string(max))
                           << " inputs, got " << node.input_size();
  for (int i = 0; i < node.input_size(); ++i) {
    // An empty name marks an omitted optional input; the first `min` inputs
    // are required.
    if (node.input(i).empty()) {
      if (i < min)
        return nodeError(node) << "required input " << i << " is empty";
      continue;
    }
    if (!has(node.input(i)))
      return nodeError(node) << "input '" << node.input(i)
                             << "' is not defined before use";
  }
  return success();
}

FailureOr<Type> Importer::elementType(int32_t t, Location loc) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return Type(Float32Type::get(ctx));
  case onnx::TensorProto::DOUBLE:
    return Type(Float64Type::get(ctx));
  case onnx::TensorProto::FLOAT16:
    return Type(Float16Type::get(ctx));
  case onnx::TensorProto::INT8:
    return Type(IntegerType::get(ctx, 8));
  case onnx::TensorProto::UINT8:
    return Type(IntegerType::get(ctx, 8, IntegerType::Unsigned));
  case onnx::TensorProto::INT16:
    return Type(IntegerType::get(ctx, 16));
  case onnx::TensorProto::INT32:
    return Type(IntegerType::get(ctx, 32));
  case onnx::TensorProto::INT64:
    return Type(IntegerType::get(ctx, 64));
  case onnx::TensorProto::BOOL:
    return Type(IntegerType::get(ctx, 1));
  default:
    return emitError(loc) << "unsupported ONNX element type "
                          << onnx::TensorProto::DataType_Name(
                                 static_cast<onnx::TensorProto::DataType>(t));
  }
}

/// Bytes of one element of an ONNX tensor type.
static unsigned elementBytes(Type t) {
  if (t.isInteger(1))
    return 1;
  return t.getIntOrFloatBitWidth() / 8;
}

FailureOr<ElementsAttr> Importer::tensorToAttr(const onnx::TensorProto &t,
                                               Location loc) {
  auto et = elementType(t.data_type(), loc);
  if (failed(et))
    return failure();
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  for (int64_t d : shape)
    if (d < 0)
      return emitError(loc) << "tensor '" << t.name()
                            << "' has a negative dimension";
  unsigned eb = elementBytes(*et);
  std::optional<int64_t> count = qopt::checkedNumElements(shape);
  if (!count || !qopt::checkedMul(*count, (int64_t)eb))
    return emitError(loc) << "tensor '" << t.name() << "' has dimensions "
                          << qopt::shapeString(shape)
                          << " whose size overflows 64 bits";
  auto type = RankedTensorType::get(shape, *et);
  int64_t n = *count;

  // Gather the little-endian bytes, wherever the proto keeps them.
  std::string bytes;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto slice = readExternalData(t, n * eb, loc);
    if (failed(slice))
      return failure();
    bytes = std::move(*slice);
  } else if (t.has_raw_data()) {
    bytes = t.raw_data();
  } else {
    auto append = [&](const auto &field, auto cast) {
      for (auto v : field) {
        auto c = cast(v);
        bytes.append(reinterpret_cast<const char *>(&c), sizeof(c));
      }
    };
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      append(t.float_data(), [](float v) { return v; });
      break;
    case onnx::TensorProto::DOUBLE:
      append(t.double_data(), [](double v) { return v; });
      break;
    case onnx::TensorProto::INT64:
      append(t.int64_data(), [](int64_t v) { return v; });
      break;
    case onnx::TensorProto::INT32:
      append(t.int32_data(), [](int32_t v) { return v; });
      break;
    case onnx::TensorProto::INT16:
      append(t.int32_data(), [](int32_t v) { return (int16_t)v; });
      break;
    case onnx::TensorProto::INT8:
      append(t.int32_data(), [](int32_t v) { return (int8_t)v; });
      break;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      append(t.int32_data(), [](int32_t v) { return (uint8_t)v; });
      break;
    case onnx::TensorProto::FLOAT16:
      append(t.int32_data(), [](int32_t v) { return (uint16_t)v; });
      break;
    default:
      break;
    }
  }
  if ((int64_t)bytes.size() != n * eb)
    return emitError(loc) << "tensor '" << t.name() << "' holds "
                          << bytes.size() << " bytes of data, expected "
                          << n * eb << " for shape " << type;

  if (isa<FloatType>(*et) && (*et).isF32() && n >= kResourceThreshold) {
    std::string blobName = t.name().empty() ? "weight" : t.name();
    return cast<ElementsAttr>(DenseF32ResourceElementsAttr::get(
        type, blobName,
        HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(
            reinterpret_cast<const float *>(bytes.data()), n))));
  }
  if ((*et).isInteger(1)) {
    SmallVector<bool> b;
    for (char c : bytes)
      b.push_back(c != 0);
    return cast<ElementsAttr>(DenseElementsAttr::get(type, b));
  }
  return cast<ElementsAttr>(
      DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(bytes)));
}

FailureOr<std::string>
Importer::readExternalData(const onnx::TensorProto &t, int64_t expectedBytes,
                           Location loc) {
  std::string location;
  StringRef offsetText, lengthText;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offsetText = kv.value();
    else if (kv.key() == "length")
      lengthText = kv.value();
  }
  auto fail = [&](const Twine &what) -> InFlightDiagnostic {
    return emitError(loc) << "tensor '" << t.name()
                          << "' stores its data in external file '"
                          << location << "', " << what;
  };
  if (location.empty())
    return fail("but the location is empty");
  // The location is relative to the model's directory and may not leave it:
  // no absolute paths, no '..' (ONNX Runtime's rule as well).
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows) ||
      StringRef(location).starts_with("/") ||
      StringRef(location).starts_with("\\"))
    return fail("an absolute path; external data must be a file inside the "
                "model's directory");
  for (StringRef part : llvm::make_range(llvm::sys::path::begin(location),
                                         llvm::sys::path::end(location)))
    if (part == "..")
      return fail("which refers outside the model's directory ('..'); "
                  "external data must be a file inside it");
  if (options.externalDataDir.empty())
    return fail("but the model was not read from a file, so there is no "
                "directory to read it from");

  // Resolve symlinks on both sides before checking containment.
  SmallString<256> dir, path(options.externalDataDir), real;
  if (std::error_code ec =
          llvm::sys::fs::real_path(options.externalDataDir, dir))
    return fail("but the model's directory '" + options.externalDataDir +
                "' cannot be resolved: " + ec.message());
  llvm::sys::path::append(path, location);
  if (std::error_code ec = llvm::sys::fs::real_path(path, real))
    return fail("which cannot be read: " + ec.message());
  StringRef realRef = real;
  if (!realRef.starts_with(dir) || realRef.size() <= dir.size() ||
      !llvm::sys::path::is_separator(realRef[dir.size()]))
    return fail("which resolves to '" + real +
                "', outside the model's directory '" + dir + "'");
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(real, status))
    return fail("which cannot be read: " + ec.message());
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return fail("which is not a regular file");
  uint64_t fileSize = status.getSize();

  // Offsets and lengths are decimal integers; parse without exceptions.
  int64_t offset = 0, length = expectedBytes;
  if (!offsetText.empty() &&
      (offsetText.getAsInteger(10, offset) || offset < 0))
    return fail("with offset '" + offsetText +
                "', which is not a non-negative integer");
  if (!lengthText.empty() &&
      (lengthText.getAsInteger(10, length) || length < 0))
    return fail("with length '" + lengthText +
                "', which is not a non-negative integer");
  if (length != expectedBytes)
    return fail("with length " + Twine(length) + ", but the tensor's shape "
                "needs " + Twine(expectedBytes) + " bytes");
  // offset + length <= size, written so that nothing overflows.
  if ((uint64_t)offset > fileSize || (uint64_t)length > fileSize - offset)
    return fail("which holds " + Twine(fileSize) +
                " bytes, too short for offset " + Twine(offset) +
                " and length " + Twine(length));
  if (length == 0)
    return std::string();
  auto buf = llvm::MemoryBuffer::getFileSlice(real, length, offset);
  if (!buf)
    return fail("which cannot be read: " + buf.getError().message());
  return std::string((*buf)->getBufferStart(), (*buf)->getBufferSize());
}

Value Importer::get(StringRef name) {
  auto it = values.find(name);
  if (it != values.end())
    return it->second;
  ElementsAttr attr = constants.lookup(name);
  assert(attr && "value checked by requireInputs");
  // Constants go at the top of the function so every later use sees them.
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(builder.getInsertionBlock());
  Location loc = NameLoc::get(StringAttr::get(ctx, name));
  Value v = arith::ConstantOp::create(builder, loc, cast<TypedAttr>(attr));
  values[name] = v;
  return v;
}

RankedTensorType Importer::typeOf(StringRef name) {
  if (ElementsAttr a = constants.lookup(name))
    return cast<RankedTensorType>(a.getType());
  return cast<RankedTensorType>(values.lookup(name).getType());
}

std::optional<SmallVector<int64_t>>
Importer::getConstInts(StringRef name) const {
  ElementsAttr a = getConst(name);
  // Integer constants are shapes, axes, indices and zero points; larger ones
  // are not folded (kMaxFoldElements).
  if (!a || !isa<IntegerType>(a.getElementType()) ||
      a.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  SmallVector<int64_t> out;
  for (APInt v : a.getValues<APInt>())
    out.push_back(v.getSExtValue());
  return out;
}

std::optional<SmallVector<double>>
Importer::getConstFloats(StringRef name) const {
  ElementsAttr a = getConst(name);
  if (!a)
    return std::nullopt;
  if (isa<IntegerType>(a.getElementType())) {
    SmallVector<double> out;
    for (APInt v : a.getValues<APInt>())
      out.push_back(static_cast<double>(v.getSExtValue()));
    return out;
  }
  if (auto blob = dyn_cast<DenseF32ResourceElementsAttr>(a)) {
    auto data = blob.tryGetAsArrayRef();
    if (!data)
      return std::nullopt;
    return SmallVector<double>(data->begin(), data->end());
  }
  SmallVector<double> out;
  for (APFloat v : a.getValues<APFloat>())
    out.push_back(v.convertToDouble());
  return out;
}

Value Importer::reshapeTo(Location loc, Value v, ArrayRef<int64_t> shape) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  return ReshapeOp::create(builder, loc,
                           RankedTensorType::get(shape, t.getElementType()), v);
}

Value Importer::transpose(Location loc, Value v, ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  return TransposeOp::create(builder, loc,
                             RankedTensorType::get(shape, t.getElementType()),
                             v, builder.getDenseI64ArrayAttr(perm));
}

//===----------------------------------------------------------------------===//
// Handlers
//===----------------------------------------------------------------------===//

template <typename OpTy>
LogicalResult Importer::unary(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 1)))
    return failure();
  Value x = get(node.input(0));
  if constexpr (std::is_same_v<OpTy, ReluOp>)
    x = asUnitQuantized(nodeLoc(node), x);
  auto op = OpTy::create(builder, nodeLoc(node), x.getType(), x);
  set(node, op);
  return success();
}

template <typename OpTy>
LogicalResult Importer::binary(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 2)))
    return failure();
  // Quantized integers (e.g. ConvInteger's accumulator) take part in ONNX
  // integer arithmetic as their raw stored values.
  for (int i = 0; i < 2; ++i)
    if (isa<quant::QuantizedType>(typeOf(node.input(i)).getElementType()))
      values[node.input(i)] = toRaw(nodeLoc(node), get(node.input(i)));
  RankedTensorType a = typeOf(node.input(0)), b = typeOf(node.input(1));
  if (a.getElementType() != b.getElementType())
    return nodeError(node) << "operand element types differ: "
                           << a.getElementType() << " and "
                           << b.getElementType();
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(a.getShape(), b.getShape(), shape))
    return nodeError(node) << "shapes " << a << " and " << b
                           << " do not broadcast";
  auto resultType = RankedTensorType::get(shape, a.getElementType());
  // Integer constants are shape arithmetic: evaluate them here.
  auto lhs = getConstInts(node.input(0)), rhs = getConstInts(node.input(1));
  if (lhs && rhs && resultType.hasStaticShape() &&
      isa<IntegerType>(a.getElementType()) &&
      (lhs->size() == 1 || rhs->size() == 1 || lhs->size() == rhs->size())) {
    SmallVector<APInt> out;
    unsigned width = a.getElementType().getIntOrFloatBitWidth();
    for (int64_t i = 0; i < resultType.getNumElements(); ++i) {
      int64_t x = (*lhs)[lhs->size() == 1 ? 0 : i];
      int64_t y = (*rhs)[rhs->size() == 1 ? 0 : i];
      // ONNX integer arithmetic wraps (two's complement): compute in
      // unsigned, where wrapping is defined.
      uint64_t ux = (uint64_t)x, uy = (uint64_t)y, r = 0;
      if constexpr (std::is_same_v<OpTy, AddOp>)
        r = ux + uy;
      else if constexpr (std::is_same_v<OpTy, SubOp>)
        r = ux - uy;
      else if constexpr (std::is_same_v<OpTy, MulOp>)
        r = ux * uy;
      else {
        if (y == 0)
          return nodeError(node) << "integer division by zero";
        r = (x == std::numeric_limits<int64_t>::min() && y == -1)
                ? ux
                : (uint64_t)(x / y);
      }
      out.push_back(APInt(width, r, /*isSigned=*/false,
                          /*implicitTrunc=*/true));
    }
    setConst(node, DenseElementsAttr::get(resultType, out));
    return success();
  }
  if (!isa<FloatType>(a.getElementType()) && std::is_same_v<OpTy, DivOp>)
    return unsupported(node, "integer division computed at run time");
  Value lv = get(node.input(0)), rv = get(node.input(1));
  auto op = OpTy::create(builder, nodeLoc(node), resultType,
                         ValueRange{lv, rv});
  set(node, op);
  return success();
}

LogicalResult Importer::windowAttrs(const onnx::NodeProto &node,
                                    ArrayRef<int64_t> inShape,
                                    ArrayRef<int64_t> kernel,
                                    SmallVectorImpl<int64_t> &strides,
                                    SmallVectorImpl<int64_t> &dilations,
                                    SmallVectorImpl<int64_t> &pads) {
  strides.assign(getInts(node, "strides").value_or(SmallVector<int64_t>{1, 1}));
  dilations.assign(
      getInts(node, "dilations").value_or(SmallVector<int64_t>{1, 1}));
  pads.assign(getInts(node, "pads").value_or(SmallVector<int64_t>{0, 0, 0, 0}));
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
    return unsupported(node, "only 2-D windows (4-D NCHW tensors) are "
                             "supported");
  auto outOfRange = [](ArrayRef<int64_t> v, int64_t lo) {
    return llvm::any_of(v, [&](int64_t x) {
      return x < lo || x > qnn::kMaxWindowExtent;
    });
  };
  if (outOfRange(strides, 1) || outOfRange(dilations, 1) ||
      outOfRange(pads, 0) || outOfRange(kernel, 1))
    return nodeError(node) << "kernel_shape, strides and dilations must be in "
                              "[1, "
                           << qnn::kMaxWindowExtent << "] and pads in [0, "
                           << qnn::kMaxWindowExtent << "]";
  std::string autoPad = getString(node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return success();
  if (autoPad == "VALID") {
    pads.assign({0, 0, 0, 0});
    return success();
  }
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return nodeError(node) << "invalid auto_pad '" << autoPad << "'";
  for (int i = 0; i < 2; ++i) {
    int64_t in = inShape[2 + i];
    if (in == kDyn)
      return unsupported(node, "auto_pad " + autoPad +
                                   " on a dynamic spatial dimension; fix it "
                                   "with --input-shape");
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t eff = dilations[i] * (kernel[i] - 1) + 1;
    int64_t total = std::max<int64_t>(0, (out - 1) * strides[i] + eff - in);
    int64_t small = total / 2, big = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : big;
    pads[2 + i] = autoPad == "SAME_UPPER" ? big : small;
  }
  return success();
}

LogicalResult Importer::importConv(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 3)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0)), wt = typeOf(node.input(1));
  if (!isa<FloatType>(xt.getElementType()) ||
      !isa<FloatType>(wt.getElementType()))
    return nodeError(node) << "expects float input and weight, got "
                           << xt.getElementType() << " and "
                           << wt.getElementType()
                           << " (integer convolutions are ConvInteger or "
                              "QLinearConv)";
  if (xt.getRank() != 4 || wt.getRank() != 4)
    return unsupported(node, "only 2-D convolution (4-D NCHW input) is "
                             "supported, got input " +
                                 std::to_string(xt.getRank()) + "-D");
  return emitConv(node, get(node.input(0)), get(node.input(1)),
                  hasInput(node, 2) ? get(node.input(2)) : Value(),
                  xt.getElementType());
}

/// Gemm: Y = alpha * op(A) * op(B) + beta * C, normalized to
/// fully_connected(A, B as [N, K], bias) when B and C are constants.
LogicalResult Importer::importGemm(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 3)))
    return failure();
  Location loc = nodeLoc(node);
  float alpha = getFloat(node, "alpha", 1.0f), beta = getFloat(node, "beta", 1.0f);
  bool transA = getInt(node, "transA", 0), transB = getInt(node, "transB", 0);
  RankedTensorType at = typeOf(node.input(0)), bt = typeOf(node.input(1));
  if (at.getRank() != 2 || bt.getRank() != 2)
    return nodeError(node) << "A and B must be 2-D, got " << at << " and "
                           << bt;
  Type et = at.getElementType();
  if (!isa<FloatType>(et) || !isa<FloatType>(bt.getElementType()))
    return nodeError(node) << "expects float A and B, got " << et << " and "
                           << bt.getElementType()
                           << " (integer products are MatMulInteger or "
                              "QLinearMatMul)";
  Value a = get(node.input(0));
  if (transA)
    a = transpose(loc, a, {1, 0});
  int64_t m = cast<RankedTensorType>(a.getType()).getDimSize(0);
  int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(1);
  int64_t n = transB ? bt.getDimSize(0) : bt.getDimSize(1);
  int64_t kb = transB ? bt.getDimSize(1) : bt.getDimSize(0);
  if (k != kDyn && kb != kDyn && k != kb)
    return nodeError(node) << "inner dimensions differ: A " << at << ", B "
                           << bt;
  if (k == kDyn) // A's inner dimension is dynamic (a transposed batch)
    k = kb;

  // Weight as [N, K]: fold the transpose and alpha into a constant B.
  Value w;
  if (auto bvals = getConstFloats(node.input(1))) {
    SmallVector<double> wv(n * k);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < k; ++j)
        wv[i * k + j] =
            alpha * (transB ? (*bvals)[i * k + j] : (*bvals)[j * n + i]);
    auto wType = RankedTensorType::get({n, k}, et);
    w = arith::ConstantOp::create(
        builder, NameLoc::get(StringAttr::get(ctx, node.input(1))),
        cast<TypedAttr>(createFloatElements(wType, wv, node.input(1))));
  } else {
    if (alpha != 1.0f)
      return unsupported(node, "alpha != 1 with a non-constant B");
    w = get(node.input(1));
    if (!transB)
      w = transpose(loc, w, {1, 0});
  }

  auto outType = RankedTensorType::get({m, n}, et);
  Value bias;
  Value fullC; // a C that is not a per-column vector is added afterwards
  if (hasInput(node, 2) && beta != 0.0f) {
    RankedTensorType ct = typeOf(node.input(2));
    auto cvals = getConstFloats(node.input(2));
    bool perColumn = ct.getNumElements() == n || ct.getNumElements() == 1;
    if (cvals && perColumn && (ct.getRank() <= 1 || ct.getDimSize(0) == 1)) {
      SmallVector<double> bv(n);
      for (int64_t i = 0; i < n; ++i)
        bv[i] = beta * (*cvals)[cvals->size() == 1 ? 0 : i];
      auto biasType = RankedTensorType::get({n}, et);
      bias = arith::ConstantOp::create(
          builder, NameLoc::get(StringAttr::get(ctx, node.input(2))),
          cast<TypedAttr>(createFloatElements(biasType, bv, node.input(2))));
    } else {
      if (beta != 1.0f)
        return unsupported(node, "beta != 1 with a non-constant C");
      // A per-column C computed in the graph (e.g. DequantizeLinear of an
      // int32 bias in QDQ models) is still the bias.
      if (ct.getNumElements() == n && (ct.getRank() == 1 ||
                                       (ct.getRank() == 2 && ct.getDimSize(0) == 1)))
        bias = reshapeTo(loc, get(node.input(2)), {n});
      else
        fullC = get(node.input(2));
    }
  }
  SmallVector<Value> operands = {a, w};
  if (bias)
    operands.push_back(bias);
  Value y = FullyConnectedOp::create(builder, loc, TypeRange{outType}, operands,
                                     ArrayRef<NamedAttribute>{});
  if (fullC) {
    SmallVector<int64_t> shape;
    if (!OpTrait::util::getBroadcastedShape(
            outType.getShape(),
            cast<RankedTensorType>(fullC.getType()).getShape(), shape))
      return nodeError(node) << "C does not broadcast to " << outType;
    y = AddOp::create(builder, loc, RankedTensorType::get(shape, et), y, fullC);
  }
  set(node, y);
  return success();
}

LogicalResult Importer::importMatMul(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 2)))
    return failure();
  RankedTensorType a = typeOf(node.input(0)), b = typeOf(node.input(1));
  std::string reason;
  auto shape = inferMatMulShape(a.getShape(), b.getShape(), &reason);
  if (failed(shape))
    return nodeError(node) << reason;
  Value lhs = get(node.input(0)), rhs = get(node.input(1));
  set(node, MatMulOp::create(builder, nodeLoc(node),
                             RankedTensorType::get(*shape, a.getElementType()),
                             lhs, rhs));
  return success();
}

LogicalResult Importer::importBatchNorm(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 5, 5)))
    return failure();
  if (getInt(node, "training_mode", 0) != 0 || node.output_size() > 1)
    return unsupported(node, "training-mode batch normalization (only "
                             "inference, with one output, is supported)");
  SmallVector<Value> operands;
  for (int i = 0; i < 5; ++i)
    operands.push_back(get(node.input(i)));
  auto bn = BatchNormOp::create(
      builder, nodeLoc(node), TypeRange{operands[0].getType()}, operands,
      ArrayRef<NamedAttribute>{});
  bn.setEpsilon(APFloat(getFloat(node, "epsilon", 1e-5f)));
  set(node, bn);
  return success();
}

LogicalResult Importer::importClip(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 3)))
    return failure();
  float lo = -std::numeric_limits<float>::max();
  float hi = std::numeric_limits<float>::max();
  if (opset < 11) {
    lo = getFloat(node, "min", lo);
    hi = getFloat(node, "max", hi);
  } else {
    for (int i = 1; i <= 2; ++i) {
      if (!hasInput(node, i))
        continue;
      auto v = getConstFloats(node.input(i));
      if (!v || v->size() != 1)
        return unsupported(node, "a " + std::string(i == 1 ? "min" : "max") +
                                     " bound that is not a constant scalar");
      (i == 1 ? lo : hi) = static_cast<float>((*v)[0]);
    }
  }
  Value x = asUnitQuantized(nodeLoc(node), get(node.input(0)));
  set(node, ClipOp::create(builder, nodeLoc(node), x.getType(), x,
                           builder.getF32FloatAttr(lo),
                           builder.getF32FloatAttr(hi)));
  return success();
}

LogicalResult Importer::importPool(const onnx::NodeProto &node, bool isMax) {
  if (failed(requireInputs(node, 1, 1)))
    return failure();
  if (node.output_size() > 1 && !node.output(1).empty())
    return unsupported(node, "the Indices output of MaxPool");
  if (getInt(node, "storage_order", 0) != 0)
    return unsupported(node, "storage_order = 1");
  RankedTensorType xt = typeOf(node.input(0));
  auto kernel = getInts(node, "kernel_shape");
  if (!kernel)
    return nodeError(node) << "missing kernel_shape";
  Value x = asUnitQuantized(nodeLoc(node), get(node.input(0)));
  // 1-D pooling is 2-D pooling over an [N, C, 1, L] view.
  bool oneD = xt.getRank() == 3 && kernel->size() == 1;
  if (oneD) {
    x = reshapeTo(nodeLoc(node), x,
                  {xt.getDimSize(0), xt.getDimSize(1), 1, xt.getDimSize(2)});
    xt = cast<RankedTensorType>(x.getType());
  } else {
    xt = cast<RankedTensorType>(x.getType());
  }
  if (xt.getRank() != 4 || (kernel->size() != 2 && !oneD))
    return unsupported(node, "only 1-D and 2-D pooling are supported");
  SmallVector<int64_t> strides, dilations, pads;
  if (oneD) {
    auto lift = [&](StringRef name, SmallVector<int64_t> dflt,
                    SmallVector<int64_t> &out) {
      auto v = getInts(node, name).value_or(dflt);
      out = v;
    };
    SmallVector<int64_t> s1, d1, p1;
    lift("strides", {1}, s1);
    lift("dilations", {1}, d1);
    lift("pads", {0, 0}, p1);
    if (s1.size() != 1 || d1.size() != 1 || p1.size() != 2)
      return nodeError(node) << "1-D pooling attributes have wrong sizes";
    if (getString(node, "auto_pad", "NOTSET") != "NOTSET")
      return unsupported(node, "auto_pad on 1-D pooling");
    kernel = SmallVector<int64_t>{1, (*kernel)[0]};
    strides = {1, s1[0]};
    dilations = {1, d1[0]};
    pads = {0, p1[0], 0, p1[1]};
  } else if (failed(windowAttrs(node, xt.getShape(), *kernel, strides,
                                dilations, pads))) {
    return failure();
  }
  bool ceil = getInt(node, "ceil_mode", 0);
  std::string reason;
  auto shape = inferPool2DShape(xt.getShape(), *kernel, strides, dilations,
                                pads, ceil, &reason);
  if (failed(shape))
    return nodeError(node) << reason;
  auto outType = RankedTensorType::get(*shape, xt.getElementType());
  auto finish = [&](Value y) {
    if (oneD)
      y = reshapeTo(nodeLoc(node), y,
                    {(*shape)[0], (*shape)[1], (*shape)[3]});
    set(node, y);
    return success();
  };
  if (isMax)
    return finish(MaxPool2DOp::create(builder, nodeLoc(node), outType, x,
                                      builder.getDenseI64ArrayAttr(*kernel),
                                      builder.getDenseI64ArrayAttr(strides),
                                      builder.getDenseI64ArrayAttr(pads),
                                      builder.getDenseI64ArrayAttr(dilations),
                                      builder.getBoolAttr(ceil)));
  if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return unsupported(node, "dilated average pooling");
  return finish(AvgPool2DOp::create(
      builder, nodeLoc(node), outType, x, builder.getDenseI64ArrayAttr(*kernel),
      builder.getDenseI64ArrayAttr(strides), builder.getDenseI64ArrayAttr(pads),
      builder.getBoolAttr(getInt(node, "count_include_pad", 0)),
      builder.getBoolAttr(ceil)));
}

LogicalResult Importer::importSoftmax(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0));
  int64_t rank = xt.getRank();
  int64_t axis = getInt(node, "axis", opset < 13 ? 1 : -1);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  if (axis < 0)
    axis += rank;
  // Before opset 13, softmax normalizes over all dimensions from `axis` on.
  if (opset < 13 && axis != rank - 1) {
    bool trailingOnes = true;
    for (int64_t d = axis + 1; d < rank; ++d)
      trailingOnes &= xt.getDimSize(d) == 1;
    if (!trailingOnes)
      return unsupported(node, "opset < 13 softmax over several dimensions");
  }
  Value x = get(node.input(0));
  set(node, SoftmaxOp::create(builder, nodeLoc(node), x.getType(), x,
                              builder.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult Importer::importFlatten(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0));
  int64_t rank = xt.getRank(), axis = getInt(node, "axis", 1);
  if (axis < -rank || axis > rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  if (axis < 0)
    axis += rank;
  auto outType = RankedTensorType::get(
      FlattenOp::inferShape(xt.getShape(), axis), xt.getElementType());
  if (ElementsAttr c = getConst(node.input(0))) {
    if (auto dense = dyn_cast<DenseElementsAttr>(c)) {
      setConst(node, dense.reshape(outType));
      return success();
    }
  }
  Value x = get(node.input(0));
  set(node, FlattenOp::create(builder, nodeLoc(node), outType, x,
                              builder.getI64IntegerAttr(axis)));
  return success();
}


LogicalResult Importer::importReshape(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 2)))
    return failure();
  auto target = getConstInts(node.input(1));
  if (!target)
    return unsupported(node, "a shape input that is not a constant");
  RankedTensorType xt = typeOf(node.input(0));
  bool allowZero = getInt(node, "allowzero", 0);
  SmallVector<int64_t> shape;
  int inferIndex = -1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if ((int64_t)i >= xt.getRank())
        return nodeError(node) << "shape entry " << i
                               << " copies a dimension the input does not have";
      shape.push_back(xt.getDimSize(i));
    } else if (d == -1) {
      if (inferIndex >= 0)
        return nodeError(node) << "shape has more than one -1";
      inferIndex = i;
      shape.push_back(kDyn);
    } else if (d < 0) {
      return nodeError(node) << "invalid shape entry " << d;
    } else {
      shape.push_back(d);
    }
  }
  if (inferIndex >= 0) {
    int64_t known = 1;
    bool dynamicOther = false;
    for (auto [i, d] : llvm::enumerate(shape))
      if ((int)i != inferIndex) {
        if (d == kDyn)
          dynamicOther = true;
        else
          known *= d;
      }
    if (xt.hasStaticShape() && !dynamicOther) {
      if (known == 0 || xt.getNumElements() % known != 0)
        return nodeError(node) << "cannot reshape " << xt << " to "
                               << (*target).size() << "-D shape";
      shape[inferIndex] = xt.getNumElements() / known;
    }
  }
  auto outType = RankedTensorType::get(shape, xt.getElementType());
  if (outType.hasStaticShape() && xt.hasStaticShape() &&
      outType.getNumElements() != xt.getNumElements())
    return nodeError(node) << "cannot reshape " << xt << " to " << outType;
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(getConst(node.input(0))))
    if (outType.hasStaticShape()) {
      setConst(node, dense.reshape(outType));
      return success();
    }
  if (outType.getNumDynamicDims() > 1)
    return unsupported(node, "a result with several dynamic dimensions; fix "
                             "the input shapes with --input-shape");
  Value x = get(node.input(0));
  set(node, ReshapeOp::create(builder, nodeLoc(node), outType, x));
  return success();
}

LogicalResult Importer::importSqueeze(const onnx::NodeProto &node,
                                      bool unsqueeze) {
  if (failed(requireInputs(node, 1, 2)))
    return failure();
  std::optional<SmallVector<int64_t>> axes;
  if (opset < 13)
    axes = getInts(node, "axes");
  else if (hasInput(node, 1)) {
    axes = getConstInts(node.input(1));
    if (!axes)
      return unsupported(node, "axes that are not a constant");
  }
  RankedTensorType xt = typeOf(node.input(0));
  SmallVector<int64_t> shape;
  if (unsqueeze) {
    if (!axes)
      return nodeError(node) << "missing axes";
    int64_t outRank = xt.getRank() + axes->size();
    SmallVector<bool> isNew(outRank, false);
    for (int64_t a : *axes) {
      if (a < -outRank || a >= outRank)
        return nodeError(node) << "axis " << a << " is out of range";
      isNew[a < 0 ? a + outRank : a] = true;
    }
    int64_t j = 0;
    for (int64_t i = 0; i < outRank; ++i)
      shape.push_back(isNew[i] ? 1 : xt.getDimSize(j++));
  } else {
    SmallVector<bool> drop(xt.getRank(), false);
    if (axes) {
      for (int64_t a : *axes) {
        if (a < -xt.getRank() || a >= xt.getRank())
          return nodeError(node) << "axis " << a << " is out of range";
        int64_t d = a < 0 ? a + xt.getRank() : a;
        if (xt.getDimSize(d) != 1)
          return nodeError(node) << "cannot squeeze dimension " << d
                                 << " of size " << xt.getDimSize(d);
        drop[d] = true;
      }
    } else {
      for (int64_t d = 0; d < xt.getRank(); ++d)
        drop[d] = xt.getDimSize(d) == 1;
    }
    for (int64_t d = 0; d < xt.getRank(); ++d)
      if (!drop[d])
        shape.push_back(xt.getDimSize(d));
  }
  auto outType = RankedTensorType::get(shape, xt.getElementType());
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(getConst(node.input(0)))) {
    setConst(node, dense.reshape(outType));
    return success();
  }
  set(node, reshapeTo(nodeLoc(node), get(node.input(0)), shape));
  return success();
}

LogicalResult Importer::importTranspose(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0));
  SmallVector<int64_t> perm;
  if (auto p = getInts(node, "perm"))
    perm = *p;
  else
    for (int64_t i = xt.getRank() - 1; i >= 0; --i)
      perm.push_back(i);
  SmallVector<bool> seen(xt.getRank(), false);
  if ((int64_t)perm.size() != xt.getRank())
    return nodeError(node) << "perm has " << perm.size()
                           << " entries for rank " << xt.getRank();
  for (int64_t p : perm) {
    if (p < 0 || p >= xt.getRank() || seen[p])
      return nodeError(node) << "perm is not a permutation";
    seen[p] = true;
  }
  set(node, transpose(nodeLoc(node), get(node.input(0)), perm));
  return success();
}

LogicalResult Importer::importConcat(const onnx::NodeProto &node) {
  // Variadic: every input is required (requireInputs only checks the first).
  if (failed(requireInputs(node, node.input_size(), node.input_size())) ||
      failed(requireInputs(node, 1, 1 << 20)))
    return failure();
  RankedTensorType first = typeOf(node.input(0));
  int64_t rank = first.getRank(), axis = getInt(node, "axis", 0);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  if (axis < 0)
    axis += rank;
  // Constant 1-D integer concatenation is shape arithmetic.
  bool allConstInts = rank == 1;
  SmallVector<int64_t> folded;
  for (const auto &in : node.input()) {
    auto v = getConstInts(in);
    if (!v) {
      allConstInts = false;
      break;
    }
    folded.append(v->begin(), v->end());
  }
  if (allConstInts && isa<IntegerType>(first.getElementType())) {
    auto t = RankedTensorType::get({(int64_t)folded.size()},
                                   first.getElementType());
    SmallVector<APInt> vals;
    for (int64_t v : folded)
      vals.push_back(APInt(first.getElementType().getIntOrFloatBitWidth(), v,
                           true));
    setConst(node, DenseElementsAttr::get(t, vals));
    return success();
  }
  SmallVector<Value> inputs;
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (const auto &in : node.input()) {
    RankedTensorType t = typeOf(in);
    if (t.getRank() != rank)
      return nodeError(node) << "input '" << in << "' has rank " << t.getRank()
                             << ", expected " << rank;
    if (shape[axis] == kDyn || t.getDimSize(axis) == kDyn) {
      shape[axis] = kDyn;
    } else if (__builtin_add_overflow(shape[axis], t.getDimSize(axis),
                                      &shape[axis])) {
      return nodeError(node) << "the concatenated dimension overflows 64 bits";
    }
    inputs.push_back(get(in));
  }
  set(node, ConcatOp::create(builder, nodeLoc(node),
                             RankedTensorType::get(shape,
                                                   first.getElementType()),
                             inputs, builder.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult Importer::importPad(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 4)))
    return failure();
  std::optional<SmallVector<int64_t>> pads;
  float value = 0.0f;
  if (opset < 11) {
    pads = getInts(node, "pads");
    value = getFloat(node, "value", 0.0f);
  } else {
    if (!hasInput(node, 1))
      return nodeError(node) << "missing pads input";
    pads = getConstInts(node.input(1));
    if (!pads)
      return unsupported(node, "pads that are not a constant");
    if (hasInput(node, 2)) {
      auto v = getConstFloats(node.input(2));
      if (!v || v->size() != 1)
        return unsupported(node, "a constant_value that is not a constant "
                                 "scalar");
      value = (*v)[0];
    }
    if (hasInput(node, 3))
      return unsupported(node, "the axes input");
  }
  if (!pads)
    return nodeError(node) << "missing pads";
  RankedTensorType xt = typeOf(node.input(0));
  if ((int64_t)pads->size() != 2 * xt.getRank())
    return nodeError(node) << "pads has " << pads->size()
                           << " entries, expected " << 2 * xt.getRank();
  if (llvm::any_of(*pads, [](int64_t p) { return p < 0; }))
    return unsupported(node, "negative pads (cropping)");
  std::string mode = getString(node, "mode", "constant");
  PadMode padMode;
  if (mode == "constant")
    padMode = PadMode::Constant;
  else if (mode == "reflect")
    padMode = PadMode::Reflect;
  else if (mode == "edge")
    padMode = PadMode::Edge;
  else
    return unsupported(node, "pad mode '" + mode + "'");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < xt.getRank(); ++d) {
    int64_t s = xt.getDimSize(d);
    shape.push_back(s == kDyn ? kDyn : s + (*pads)[d] + (*pads)[d + xt.getRank()]);
  }
  Value x = get(node.input(0));
  set(node, PadOp::create(builder, nodeLoc(node),
                          RankedTensorType::get(shape, xt.getElementType()), x,
                          builder.getDenseI64ArrayAttr(*pads),
                          builder.getF32FloatAttr(value),
                          PadModeAttr::get(ctx, padMode)));
  return success();
}

LogicalResult Importer::importConstant(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  if (const auto *a = findAttr(node, "value")) {
    auto attr = tensorToAttr(a->t(), loc);
    if (failed(attr))
      return failure();
    setConst(node, *attr);
    return success();
  }
  auto f32 = Float32Type::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  if (const auto *a = findAttr(node, "value_float")) {
    setConst(node, DenseElementsAttr::get(RankedTensorType::get({}, f32),
                                          a->f()));
    return success();
  }
  if (const auto *a = findAttr(node, "value_floats")) {
    SmallVector<float> v(a->floats().begin(), a->floats().end());
    setConst(node, DenseElementsAttr::get(
                       RankedTensorType::get({(int64_t)v.size()}, f32),
                       ArrayRef<float>(v)));
    return success();
  }
  if (const auto *a = findAttr(node, "value_int")) {
    setConst(node, DenseElementsAttr::get(RankedTensorType::get({}, i64),
                                          (int64_t)a->i()));
    return success();
  }
  if (const auto *a = findAttr(node, "value_ints")) {
    SmallVector<int64_t> v(a->ints().begin(), a->ints().end());
    setConst(node, DenseElementsAttr::get(
                       RankedTensorType::get({(int64_t)v.size()}, i64),
                       ArrayRef<int64_t>(v)));
    return success();
  }
  return unsupported(node, "a Constant without a value, value_float(s) or "
                           "value_int(s) attribute");
}

LogicalResult Importer::importShape(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 1)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0));
  int64_t rank = xt.getRank();
  int64_t start = getInt(node, "start", 0), end = getInt(node, "end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  SmallVector<int64_t> dims(xt.getShape().slice(start, end - start));
  if (llvm::is_contained(dims, kDyn))
    return unsupported(node, "Shape of a tensor with dynamic dimensions; fix "
                             "them with --input-shape");
  setConst(node, DenseElementsAttr::get(
                     RankedTensorType::get({(int64_t)dims.size()},
                                           IntegerType::get(ctx, 64)),
                     ArrayRef<int64_t>(dims)));
  return success();
}

LogicalResult Importer::importGather(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 2)))
    return failure();
  auto data = dyn_cast_or_null<DenseElementsAttr>(getConst(node.input(0)));
  auto indices = getConstInts(node.input(1));
  if (!data || !indices)
    return unsupported(node, "Gather on values computed at run time");
  if (data.getNumElements() > kMaxFoldElements)
    return unsupported(node, "Gather from a constant of more than " +
                                 Twine(kMaxFoldElements) + " elements");
  auto dt = cast<RankedTensorType>(data.getType());
  int64_t rank = dt.getRank(), axis = getInt(node, "axis", 0);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return nodeError(node) << "axis is out of range";
  auto it = cast<RankedTensorType>(getConst(node.input(1)).getType());
  SmallVector<int64_t> shape(dt.getShape().take_front(axis));
  shape.append(it.getShape().begin(), it.getShape().end());
  shape.append(dt.getShape().begin() + axis + 1, dt.getShape().end());
  std::optional<int64_t> outElements = qopt::checkedNumElements(shape);
  if (!outElements || *outElements > kMaxFoldElements)
    return unsupported(node, "Gather of more than " +
                                 Twine(kMaxFoldElements) +
                                 " constant elements");
  // The data holds at most kMaxFoldElements elements: no overflow below.
  int64_t outer = 1, inner = 1, dim = dt.getDimSize(axis);
  for (int64_t d = 0; d < axis; ++d)
    outer *= dt.getDimSize(d);
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= dt.getDimSize(d);
  SmallVector<Attribute> src(data.getValues<Attribute>());
  SmallVector<Attribute> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t idx : *indices) {
      int64_t j = idx < 0 ? idx + dim : idx;
      if (j < 0 || j >= dim)
        return nodeError(node) << "index " << idx << " is out of range";
      for (int64_t i = 0; i < inner; ++i)
        out.push_back(src[(o * dim + j) * inner + i]);
    }
  setConst(node, DenseElementsAttr::get(
                     RankedTensorType::get(shape, dt.getElementType()), out));
  return success();
}

LogicalResult Importer::importCast(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 1)))
    return failure();
  auto to = elementType(getInt(node, "to", 0), nodeLoc(node));
  if (failed(to))
    return failure();
  RankedTensorType xt = typeOf(node.input(0));
  auto outType = RankedTensorType::get(xt.getShape(), *to);
  // Casting a quantized tensor to its own storage type changes nothing.
  if (auto q = dyn_cast<quant::QuantizedType>(xt.getElementType())) {
    auto i = dyn_cast<IntegerType>(*to);
    if (i && i.getWidth() == q.getStorageTypeIntegralWidth() &&
        i.isUnsigned() == !q.isSigned()) {
      set(node, get(node.input(0)));
      return success();
    }
    values[node.input(0)] = toRaw(nodeLoc(node), get(node.input(0)));
    xt = typeOf(node.input(0));
  }
  if (xt.getElementType() == *to) {
    if (ElementsAttr c = getConst(node.input(0)))
      setConst(node, c);
    else
      set(node, get(node.input(0)));
    return success();
  }
  // A splat stays a splat, whatever its size (ConstantOfShape + Cast).
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(getConst(node.input(0)));
      dense && dense.isSplat() && !(*to).isInteger(1) &&
      !xt.getElementType().isInteger(1)) {
    double v = isa<IntegerType>(xt.getElementType())
                   ? (double)dense.getSplatValue<APInt>().getSExtValue()
                   : dense.getSplatValue<APFloat>().convertToDouble();
    Attribute value;
    if (auto ft = dyn_cast<FloatType>(*to))
      value = FloatAttr::get(ft, v);
    else
      value = IntegerAttr::get(
          *to, APInt((*to).getIntOrFloatBitWidth(), truncToInt64(v),
                     /*isSigned=*/true, /*implicitTrunc=*/true));
    setConst(node, DenseElementsAttr::get(outType, value));
    return success();
  }
  ElementsAttr input = getConst(node.input(0));
  std::optional<SmallVector<double>> vals;
  if (input && input.getNumElements() <= kMaxFoldElements)
    vals = getConstFloats(node.input(0));
  if (vals) {
    if (isa<FloatType>(*to)) {
      setConst(node, createFloatElements(outType, *vals, node.output(0)));
      return success();
    }
    SmallVector<APInt> ints;
    unsigned width = (*to).getIntOrFloatBitWidth();
    for (double v : *vals)
      ints.push_back(APInt(width, truncToInt64(v), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    setConst(node, DenseElementsAttr::get(outType, ints));
    return success();
  }
  if ((*to).isInteger(1) || xt.getElementType().isInteger(1))
    return unsupported(node, "Cast from or to bool computed at run time");
  Value x = get(node.input(0));
  set(node, CastOp::create(builder, nodeLoc(node), outType, x));
  return success();
}

LogicalResult Importer::importConstantOfShape(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 1, 1)))
    return failure();
  auto shape = getConstInts(node.input(0));
  if (!shape)
    return unsupported(node, "a shape that is not a constant");
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }) ||
      !qopt::checkedByteSize(*shape, kMaxElementBytes))
    return nodeError(node) << "shape " << qopt::shapeString(*shape)
                           << " has a negative dimension or a size that "
                              "overflows 64 bits";
  Attribute value = builder.getF32FloatAttr(0.0f);
  Type et = builder.getF32Type();
  if (const auto *a = findAttr(node, "value")) {
    auto attr = tensorToAttr(a->t(), nodeLoc(node));
    if (failed(attr))
      return failure();
    if (attr->getNumElements() != 1)
      return nodeError(node) << "value must hold one element";
    et = attr->getElementType();
    value = *attr->getValues<Attribute>().begin();
  }
  setConst(node, DenseElementsAttr::get(RankedTensorType::get(*shape, et),
                                        ArrayRef<Attribute>(value)));
  return success();
}


//===----------------------------------------------------------------------===//
// Quantized ONNX
//===----------------------------------------------------------------------===//

/// The signless storage type and signedness of an ONNX integer type.
static std::pair<IntegerType, bool> storageOf(Type t) {
  auto i = cast<IntegerType>(t);
  return {IntegerType::get(t.getContext(), i.getWidth()), !i.isUnsigned()};
}

FailureOr<quant::QuantizedType>
Importer::quantType(const onnx::NodeProto &node, int scaleIdx, int zpIdx,
                    Type storageIfNoZp, int64_t rank, int64_t axis) {
  auto scales = getConstFloats(node.input(scaleIdx));
  if (!scales)
    return unsupported(node, "a scale that is not a constant");
  SmallVector<int64_t> zps(scales->size(), 0);
  Type storage = storageIfNoZp;
  if (hasInput(node, zpIdx)) {
    auto z = getConstInts(node.input(zpIdx));
    if (!z)
      return unsupported(node, "a zero point that is not a constant");
    ElementsAttr za = getConst(node.input(zpIdx));
    storage = za.getElementType();
    // uint8 zero points are unsigned: read them zero-extended.
    zps.clear();
    for (APInt v : za.getValues<APInt>())
      zps.push_back(cast<IntegerType>(storage).isUnsigned()
                        ? (int64_t)v.getZExtValue()
                        : v.getSExtValue());
    if (zps.size() != scales->size())
      return nodeError(node) << "scale has " << scales->size()
                             << " values but zero point has " << zps.size();
  }
  if (!isa<IntegerType>(storage))
    return unsupported(node, "a non-integer quantized type");
  auto [st, isSigned] = storageOf(storage);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t qmin = quant::QuantizedType::getDefaultMinimumForInteger(
      isSigned, st.getWidth());
  int64_t qmax = quant::QuantizedType::getDefaultMaximumForInteger(
      isSigned, st.getWidth());
  for (double sc : *scales)
    if (!(sc > 0) || !std::isfinite(sc))
      return nodeError(node) << "scale " << sc
                             << " must be positive and finite";
  for (int64_t z : zps)
    if (z < qmin || z > qmax)
      return nodeError(node) << "zero point " << z << " is outside ["
                             << qmin << ", " << qmax << "]";
  Type f32 = builder.getF32Type();
  if (scales->size() == 1 &&
      getConst(node.input(scaleIdx)).getShapedType().getRank() <= 1)
    return cast<quant::QuantizedType>(quant::UniformQuantizedType::get(
        flags, st, f32, (*scales)[0], zps[0], qmin, qmax));
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return nodeError(node) << "quantization axis " << axis
                           << " is out of range for rank " << rank;
  return cast<quant::QuantizedType>(quant::UniformQuantizedPerAxisType::get(
      flags, st, f32, *scales, zps, axis, qmin, qmax));
}

Value Importer::toQuant(Location loc, Value v, quant::QuantizedType q) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == q)
    return v;
  if (isa<quant::QuantizedType>(t.getElementType()))
    v = toRaw(loc, v); // reinterpret the stored integers (ONNX semantics)
  t = cast<RankedTensorType>(v.getType());
  auto storage = RankedTensorType::get(t.getShape(), q.getStorageType());
  if (t != storage)
    v = tensor::BitcastOp::create(builder, loc, storage, v);
  return quant::StorageCastOp::create(
      builder, loc, RankedTensorType::get(t.getShape(), q), v);
}

Value Importer::toRaw(Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto q = dyn_cast<quant::QuantizedType>(t.getElementType());
  if (!q)
    return v;
  auto storage = RankedTensorType::get(t.getShape(), q.getStorageType());
  Value raw = quant::StorageCastOp::create(builder, loc, storage, v);
  if (!q.isSigned())
    raw = tensor::BitcastOp::create(
        builder, loc,
        RankedTensorType::get(t.getShape(),
                              IntegerType::get(ctx, q.getStorageTypeIntegralWidth(),
                                               IntegerType::Unsigned)),
        raw);
  return raw;
}

FailureOr<Value> Importer::quantOperand(const onnx::NodeProto &node, int i,
                                        quant::QuantizedType q) {
  RankedTensorType t = typeOf(node.input(i));
  Type et = t.getElementType();
  if (!isa<IntegerType, quant::QuantizedType>(et))
    return nodeError(node) << "input " << i << " must be an integer tensor, got "
                           << t;
  unsigned width = isa<IntegerType>(et) ? et.getIntOrFloatBitWidth()
                                        : cast<quant::QuantizedType>(et)
                                              .getStorageTypeIntegralWidth();
  if (width != q.getStorageTypeIntegralWidth())
    return nodeError(node) << "input " << i << " of type " << t
                           << " does not match its zero point's type";
  // Constant integers (weights) become a qconst holding the same bits.
  if (auto dense = dyn_cast_or_null<DenseIntElementsAttr>(getConst(node.input(i)))) {
    auto storage = RankedTensorType::get(t.getShape(), q.getStorageType());
    auto bits = dense.bitcast(q.getStorageType());
    return Value(QConstOp::create(builder, NameLoc::get(StringAttr::get(ctx, node.input(i))),
                                  RankedTensorType::get(t.getShape(), q),
                                  cast<ElementsAttr>(bits.reshape(storage))));
  }
  return toQuant(nodeLoc(node), get(node.input(i)), q);
}

Value Importer::asUnitQuantized(Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto i = dyn_cast<IntegerType>(t.getElementType());
  if (!i || i.getWidth() > 32 || i.getWidth() == 1)
    return v;
  bool isSigned = !i.isUnsigned();
  auto q = quant::UniformQuantizedType::get(
      isSigned ? quant::QuantizationFlags::Signed : 0,
      IntegerType::get(ctx, i.getWidth()), builder.getF32Type(), 1.0, 0,
      quant::QuantizedType::getDefaultMinimumForInteger(isSigned, i.getWidth()),
      quant::QuantizedType::getDefaultMaximumForInteger(isSigned, i.getWidth()));
  return toQuant(loc, v, q);
}

LogicalResult Importer::importQuantizeLinear(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 3)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0));
  if (!xt.getElementType().isF32())
    return unsupported(node, "QuantizeLinear of a non-f32 tensor");
  auto q = quantType(node, 1, 2,
                     IntegerType::get(ctx, 8, IntegerType::Unsigned),
                     xt.getRank(), getInt(node, "axis", 1));
  if (failed(q))
    return failure();
  set(node, QuantizeOp::create(builder, nodeLoc(node),
                               RankedTensorType::get(xt.getShape(), *q),
                               get(node.input(0))));
  return success();
}

LogicalResult Importer::importDequantizeLinear(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 3)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0));
  Type storage = xt.getElementType();
  if (auto qt = dyn_cast<quant::QuantizedType>(storage))
    storage = IntegerType::get(ctx, qt.getStorageTypeIntegralWidth(),
                               qt.isSigned() ? IntegerType::Signless
                                             : IntegerType::Unsigned);
  auto q = quantType(node, 1, 2, storage, xt.getRank(),
                     getInt(node, "axis", 1));
  if (failed(q))
    return failure();
  auto x = quantOperand(node, 0, *q);
  if (failed(x))
    return failure();
  set(node, DequantizeOp::create(
                builder, nodeLoc(node),
                RankedTensorType::get(xt.getShape(), builder.getF32Type()), *x));
  return success();
}

LogicalResult Importer::emitConv(const onnx::NodeProto &node, Value x,
                                 Value w, Value bias, Type resultElement) {
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  SmallVector<int64_t> strides, dilations, pads;
  if (failed(windowAttrs(node, xt.getShape(), wt.getShape().drop_front(2),
                         strides, dilations, pads)))
    return failure();
  int64_t group = getInt(node, "group", 1);
  std::string reason;
  auto shape = inferConv2DShape(xt.getShape(), wt.getShape(), strides,
                                dilations, pads, group, &reason);
  if (failed(shape))
    return nodeError(node) << reason;
  SmallVector<Value> operands = {x, w};
  if (bias)
    operands.push_back(bias);
  auto conv = Conv2DOp::create(
      builder, nodeLoc(node),
      TypeRange{RankedTensorType::get(*shape, resultElement)}, operands,
      ArrayRef<NamedAttribute>{});
  conv.setStrides(strides);
  conv.setDilations(dilations);
  conv.setPads(pads);
  conv.setGroup(group);
  set(node, conv);
  return success();
}

/// QLinearConv(x, x_s, x_zp, w, w_s, w_zp, y_s, y_zp, B).
LogicalResult Importer::importQLinearConv(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 8, 9)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0)), wt = typeOf(node.input(3));
  if (xt.getRank() != 4 || wt.getRank() != 4)
    return unsupported(node, "only 2-D convolution (4-D NCHW input) is "
                             "supported");
  Type u8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  auto xq = quantType(node, 1, 2, u8, 4, 0);
  auto wq = quantType(node, 4, 5, u8, 4, 0);
  auto yq = quantType(node, 6, 7, u8, 4, 0);
  if (failed(xq) || failed(wq) || failed(yq))
    return failure();
  if (!isa<quant::UniformQuantizedType>(*xq) ||
      !isa<quant::UniformQuantizedType>(*yq))
    return nodeError(node) << "x and y must be quantized per tensor";
  auto x = quantOperand(node, 0, *xq);
  auto w = quantOperand(node, 3, *wq);
  if (failed(x) || failed(w))
    return failure();
  Value bias;
  if (hasInput(node, 8)) {
    double sx = cast<quant::UniformQuantizedType>(*xq).getScale();
    quant::QuantizedType bq;
    Type i32 = IntegerType::get(ctx, 32);
    int64_t lo = std::numeric_limits<int32_t>::min(),
            hi = std::numeric_limits<int32_t>::max();
    if (auto w1 = dyn_cast<quant::UniformQuantizedType>(*wq))
      bq = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                            i32, builder.getF32Type(),
                                            sx * w1.getScale(), 0, lo, hi);
    else {
      auto wa = cast<quant::UniformQuantizedPerAxisType>(*wq);
      SmallVector<double> s;
      for (double ws : wa.getScales())
        s.push_back(sx * ws);
      bq = quant::UniformQuantizedPerAxisType::get(
          quant::QuantizationFlags::Signed, i32, builder.getF32Type(), s,
          SmallVector<int64_t>(s.size(), 0), 0, lo, hi);
    }
    auto b = quantOperand(node, 8, bq);
    if (failed(b))
      return failure();
    bias = *b;
  }
  return emitConv(node, *x, *w, bias, *yq);
}

/// QLinearMatMul(a, a_s, a_zp, b, b_s, b_zp, y_s, y_zp).
LogicalResult Importer::importQLinearMatMul(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 8, 8)))
    return failure();
  RankedTensorType at = typeOf(node.input(0)), bt = typeOf(node.input(3));
  Type u8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  auto aq = quantType(node, 1, 2, u8, at.getRank(), at.getRank() - 2);
  auto bq = quantType(node, 4, 5, u8, bt.getRank(), bt.getRank() - 1);
  auto yq = quantType(node, 6, 7, u8, at.getRank(), 0);
  if (failed(aq) || failed(bq) || failed(yq))
    return failure();
  if (!isa<quant::UniformQuantizedType>(*aq) ||
      !isa<quant::UniformQuantizedType>(*yq))
    return unsupported(node, "per-row quantization of a or y");
  std::string reason;
  auto shape = inferMatMulShape(at.getShape(), bt.getShape(), &reason);
  if (failed(shape))
    return nodeError(node) << reason;
  auto a = quantOperand(node, 0, *aq);
  auto b = quantOperand(node, 3, *bq);
  if (failed(a) || failed(b))
    return failure();
  set(node, MatMulOp::create(builder, nodeLoc(node),
                             RankedTensorType::get(*shape, *yq), *a, *b));
  return success();
}

/// The i32 accumulator type of ConvInteger / MatMulInteger: scale 1, zp 0.
static quant::QuantizedType accumulatorType(MLIRContext *ctx) {
  return quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, IntegerType::get(ctx, 32),
      Float32Type::get(ctx), 1.0, 0, std::numeric_limits<int32_t>::min(),
      std::numeric_limits<int32_t>::max());
}


/// The unit-scale quantized type of a ConvInteger / MatMulInteger operand:
/// its integer type with the (optional) zero point input `zpIdx`, per axis
/// `axis` when the zero point has one value per `channels` (axis -1: only
/// per tensor).
FailureOr<quant::QuantizedType>
Importer::unitScaleType(const onnx::NodeProto &node, int idx, int zpIdx,
                        int64_t axis, int64_t channels) {
  Type et = typeOf(node.input(idx)).getElementType();
  if (auto q = dyn_cast<quant::QuantizedType>(et))
    et = IntegerType::get(ctx, q.getStorageTypeIntegralWidth(),
                          q.isSigned() ? IntegerType::Signless
                                       : IntegerType::Unsigned);
  if (!isa<IntegerType>(et))
    return nodeError(node) << "input " << idx << " must be an integer tensor";
  SmallVector<int64_t> zps = {0};
  if (hasInput(node, zpIdx)) {
    ElementsAttr za = getConst(node.input(zpIdx));
    if (!za)
      return unsupported(node, "a zero point that is not a constant");
    zps.clear();
    bool u = cast<IntegerType>(za.getElementType()).isUnsigned();
    for (APInt v : za.getValues<APInt>())
      zps.push_back(u ? (int64_t)v.getZExtValue() : v.getSExtValue());
  }
  auto [st, isSigned] = storageOf(et);
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  int64_t qmin = quant::QuantizedType::getDefaultMinimumForInteger(
      isSigned, st.getWidth());
  int64_t qmax = quant::QuantizedType::getDefaultMaximumForInteger(
      isSigned, st.getWidth());
  if (zps.size() == 1)
    return cast<quant::QuantizedType>(quant::UniformQuantizedType::get(
        flags, st, builder.getF32Type(), 1.0, zps[0], qmin, qmax));
  if (axis < 0 || (int64_t)zps.size() != channels)
    return unsupported(node, "per-element zero points of input " +
                                 std::to_string(idx));
  return cast<quant::QuantizedType>(quant::UniformQuantizedPerAxisType::get(
      flags, st, builder.getF32Type(), SmallVector<double>(zps.size(), 1.0),
      zps, axis, qmin, qmax));
}

LogicalResult Importer::importConvInteger(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 4)))
    return failure();
  RankedTensorType xt = typeOf(node.input(0)), wt = typeOf(node.input(1));
  if (xt.getRank() != 4 || wt.getRank() != 4)
    return unsupported(node, "only 2-D convolution (4-D NCHW input) is "
                             "supported");
  auto xq = unitScaleType(node, 0, 2, /*axis=*/-1, 0);
  auto wq = unitScaleType(node, 1, 3, /*axis=*/0, wt.getDimSize(0));
  if (failed(xq) || failed(wq))
    return failure();
  auto x = quantOperand(node, 0, *xq);
  auto w = quantOperand(node, 1, *wq);
  if (failed(x) || failed(w))
    return failure();
  return emitConv(node, *x, *w, Value(), accumulatorType(ctx));
}

LogicalResult Importer::importMatMulInteger(const onnx::NodeProto &node) {
  if (failed(requireInputs(node, 2, 4)))
    return failure();
  RankedTensorType at = typeOf(node.input(0)), bt = typeOf(node.input(1));
  auto aq = unitScaleType(node, 0, 2, /*axis=*/-1, 0);
  auto bq = unitScaleType(node, 1, 3, bt.getRank() - 1,
                          bt.getDimSize(bt.getRank() - 1));
  if (failed(aq) || failed(bq))
    return failure();
  std::string reason;
  auto shape = inferMatMulShape(at.getShape(), bt.getShape(), &reason);
  if (failed(shape))
    return nodeError(node) << reason;
  auto a = quantOperand(node, 0, *aq);
  auto b = quantOperand(node, 1, *bq);
  if (failed(a) || failed(b))
    return failure();
  set(node, MatMulOp::create(builder, nodeLoc(node),
                             RankedTensorType::get(*shape, accumulatorType(ctx)),
                             *a, *b));
  return success();
}

void Importer::registerHandlers() {
  auto add = [&](StringRef name, Handler h) { handlers[name] = std::move(h); };
  add("Conv", [this](auto &n) { return importConv(n); });
  add("Gemm", [this](auto &n) { return importGemm(n); });
  add("MatMul", [this](auto &n) { return importMatMul(n); });
  add("BatchNormalization", [this](auto &n) { return importBatchNorm(n); });
  add("Relu", [this](auto &n) { return unary<ReluOp>(n); });
  add("Sigmoid", [this](auto &n) { return unary<SigmoidOp>(n); });
  add("LeakyRelu", [this](auto &n) {
    if (failed(requireInputs(n, 1, 1)))
      return failure();
    Value x = get(n.input(0));
    set(n, LeakyReluOp::create(builder, nodeLoc(n), x.getType(), x,
                               builder.getF32FloatAttr(getFloat(n, "alpha", 0.01f))));
    return success();
  });
  add("HardSigmoid", [this](auto &n) {
    if (failed(requireInputs(n, 1, 1)))
      return failure();
    Value x = get(n.input(0));
    set(n, HardSigmoidOp::create(
               builder, nodeLoc(n), x.getType(), x,
               builder.getF32FloatAttr(getFloat(n, "alpha", 0.2f)),
               builder.getF32FloatAttr(getFloat(n, "beta", 0.5f))));
    return success();
  });
  add("Clip", [this](auto &n) { return importClip(n); });
  add("Add", [this](auto &n) { return binary<AddOp>(n); });
  add("Sub", [this](auto &n) { return binary<SubOp>(n); });
  add("Mul", [this](auto &n) { return binary<MulOp>(n); });
  add("Div", [this](auto &n) { return binary<DivOp>(n); });
  add("MaxPool", [this](auto &n) { return importPool(n, true); });
  add("AveragePool", [this](auto &n) { return importPool(n, false); });
  add("GlobalAveragePool", [this](auto &n) {
    if (failed(requireInputs(n, 1, 1)))
      return failure();
    RankedTensorType xt = typeOf(n.input(0));
    if (xt.getRank() != 4)
      return unsupported(n, "only 4-D NCHW input is supported");
    Value x = get(n.input(0));
    set(n, GlobalAvgPool2DOp::create(
               builder, nodeLoc(n),
               RankedTensorType::get({xt.getDimSize(0), xt.getDimSize(1), 1, 1},
                                     xt.getElementType()),
               x));
    return success();
  });
  add("Softmax", [this](auto &n) { return importSoftmax(n); });
  add("Flatten", [this](auto &n) { return importFlatten(n); });
  add("Reshape", [this](auto &n) { return importReshape(n); });
  add("Squeeze", [this](auto &n) { return importSqueeze(n, false); });
  add("Unsqueeze", [this](auto &n) { return importSqueeze(n, true); });
  add("Transpose", [this](auto &n) { return importTranspose(n); });
  add("Concat", [this](auto &n) { return importConcat(n); });
  add("Pad", [this](auto &n) { return importPad(n); });
  add("Constant", [this](auto &n) { return importConstant(n); });
  add("Shape", [this](auto &n) { return importShape(n); });
  add("Gather", [this](auto &n) { return importGather(n); });
  add("Cast", [this](auto &n) { return importCast(n); });
  add("ConstantOfShape", [this](auto &n) { return importConstantOfShape(n); });
  add("Identity", [this](auto &n) {
    if (failed(requireInputs(n, 1, 1)))
      return failure();
    if (ElementsAttr c = getConst(n.input(0)))
      setConst(n, c);
    else
      set(n, get(n.input(0)));
    return success();
  });
  add("QuantizeLinear", [this](auto &n) { return importQuantizeLinear(n); });
  add("DequantizeLinear",
      [this](auto &n) { return importDequantizeLinear(n); });
  add("QLinearConv", [this](auto &n) { return importQLinearConv(n); });
  add("QLinearMatMul", [this](auto &n) { return importQLinearMatMul(n); });
  add("ConvInteger", [this](auto &n) { return importConvInteger(n); });
  add("MatMulInteger", [this](auto &n) { return importMatMulInteger(n); });
  add("Dropout", [this](auto &n) {
    if (failed(requireInputs(n, 1, 3)))
      return failure();
    if (n.output_size() > 1 && !n.output(1).empty())
      return unsupported(n, "the mask output of Dropout");
    set(n, get(n.input(0)));
    return success();
  });
}

LogicalResult Importer::importNode(const onnx::NodeProto &node) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return nodeError(node) << "unsupported op domain '" << node.domain()
                           << "'";
  auto it = handlers.find(node.op_type());
  if (it == handlers.end())
    return unsupported(node, "op type " + node.op_type());
  if (node.output_size() == 0 || node.output(0).empty())
    return nodeError(node) << "has no output";
  if (failed(it->second(node)))
    return failure();
  for (const auto &out : node.output()) {
    if (out.empty())
      continue;
    if (!has(out))
      return unsupported(node, "output '" + out + "'");
    // Every later size computation (byte sizes, strides, run-time limits)
    // relies on this: no tensor's byte size overflows int64.
    RankedTensorType type = typeOf(out);
    if (!qopt::checkedByteSize(type.getShape(), kMaxElementBytes))
      return nodeError(node) << "output '" << out << "' has shape "
                             << qopt::shapeString(type.getShape())
                             << ", whose size overflows 64 bits";
  }
  return success();
}

LogicalResult Importer::importInputs(SmallVectorImpl<Type> &types,
                                     SmallVectorImpl<std::string> &names) {
  const auto &graph = model.graph();
  llvm::StringSet<> initNames;
  for (const auto &init : graph.initializer())
    initNames.insert(init.name());
  llvm::StringSet<> inputNames;
  for (const auto &in : graph.input())
    inputNames.insert(in.name());
  for (const auto &kv : options.inputShapes)
    if (!inputNames.contains(kv.getKey()) || initNames.contains(kv.getKey()))
      return emitError(FileLineColLoc::get(ctx, bufferName, 0, 0))
             << "--input-shape names '" << kv.getKey()
             << "', which is not an input of the model";
  for (const auto &in : graph.input()) {
    if (initNames.contains(in.name()))
      continue; // an initializer listed as input (IR < 4): a weight
    Location loc = NameLoc::get(StringAttr::get(ctx, in.name()),
                                FileLineColLoc::get(ctx, bufferName, 0, 0));
    if (!in.type().has_tensor_type())
      return emitError(loc) << "graph input '" << in.name()
                            << "' is not a tensor";
    const auto &tt = in.type().tensor_type();
    auto et = elementType(tt.elem_type(), loc);
    if (failed(et))
      return failure();
    SmallVector<int64_t> shape;
    auto fixed = options.inputShapes.find(in.name());
    if (fixed != options.inputShapes.end()) {
      if (tt.has_shape() &&
          (int64_t)fixed->second.size() != tt.shape().dim_size())
        return emitError(loc)
               << "--input-shape for '" << in.name() << "' has rank "
               << fixed->second.size() << " but the model's input has rank "
               << tt.shape().dim_size();
      shape = fixed->second;
    } else {
      if (!tt.has_shape())
        return emitError(loc) << "graph input '" << in.name()
                               << "' has no shape; give one with "
                                  "--input-shape="
                               << in.name() << ":DIMS";
      for (auto [i, d] : llvm::enumerate(tt.shape().dim())) {
        if (d.has_dim_value() && d.dim_value() >= 0) {
          shape.push_back(d.dim_value());
          continue;
        }
        // A symbolic leading dimension is the batch: keep it dynamic.
        if (i == 0) {
          shape.push_back(kDyn);
          continue;
        }
        return emitError(loc)
               << "graph input '" << in.name() << "' has dynamic dimension "
               << i << " ('" << d.dim_param()
               << "'); only the batch may be dynamic; fix it with "
                  "--input-shape="
               << in.name() << ":DIMS";
      }
    }
    if (!qopt::checkedByteSize(shape, kMaxElementBytes))
      return emitError(loc) << "graph input '" << in.name() << "' has shape "
                            << qopt::shapeString(shape)
                            << ", whose size overflows 64 bits";
    types.push_back(RankedTensorType::get(shape, *et));
    names.push_back(in.name());
  }
  return success();
}

OwningOpRef<ModuleOp> Importer::run() {
  Location fileLoc = FileLineColLoc::get(ctx, bufferName, 0, 0);
  for (const auto &os : model.opset_import()) {
    if (os.domain().empty() || os.domain() == "ai.onnx")
      opset = os.version();
  }
  if (opset == 0 && model.opset_import_size() == 0)
    opset = kMinOpset; // very old models omit it
  if (opset < kMinOpset || opset > kMaxOpset) {
    emitError(fileLoc) << "unsupported ONNX opset " << opset
                       << " of the default domain; qopt imports opsets "
                       << kMinOpset << " through " << kMaxOpset;
    return nullptr;
  }
  registerHandlers();

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  if (failed(importInputs(argTypes, argNames)))
    return nullptr;

  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(builder, fileLoc, options.functionName,
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToEnd(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(name));
  }

  for (const auto &init : model.graph().initializer()) {
    auto attr = tensorToAttr(init, NameLoc::get(StringAttr::get(ctx, init.name()),
                                                fileLoc));
    if (failed(attr))
      return nullptr;
    if (!values.count(init.name()))
      constants[init.name()] = *attr;
  }
  for (const auto &node : model.graph().node())
    if (failed(importNode(node)))
      return nullptr;

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &out : model.graph().output()) {
    if (!has(out.name())) {
      emitError(fileLoc) << "graph output '" << out.name()
                         << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(toRaw(fileLoc, get(out.name())));
    resultTypes.push_back(results.back().getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(model.graph().output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(out.name()));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace

std::string qopt::modelDirectory(StringRef modelPath) {
  // A model read from standard input has no directory: external data is
  // refused rather than read from wherever the tool happens to run.
  if (modelPath.empty() || modelPath == "-" || modelPath == "<stdin>")
    return "";
  StringRef parent = llvm::sys::path::parent_path(modelPath);
  return parent.empty() ? "." : parent.str();
}

std::string qopt::parseInputShapeOption(StringRef spec,
                                        ONNXImportOptions &options) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty() || name == spec)
    return ("--input-shape expects NAME:DIMS (e.g. input:1x3x224x224), got '" +
            spec + "'")
        .str();
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d <= 0)
      return ("--input-shape '" + spec + "': '" + p +
              "' is not a positive dimension")
          .str();
    shape.push_back(d);
  }
  options.inputShapes[name] = shape;
  return "";
}

OwningOpRef<ModuleOp> qopt::importONNX(StringRef bytes, StringRef bufferName,
                                       MLIRContext *context,
                                       const ONNXImportOptions &options) {
  context->loadDialect<QNNDialect, arith::ArithDialect, func::FuncDialect,
                       quant::QuantDialect, tensor::TensorDialect>();
  onnx::ModelProto model;
  Location fileLoc = FileLineColLoc::get(context, bufferName, 0, 0);
  if (bytes.empty()) {
    emitError(fileLoc) << "'" << bufferName << "' is empty, not an ONNX model";
    return nullptr;
  }
  if (bytes.size() > (size_t)std::numeric_limits<int>::max() ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "'" << bufferName
                       << "' is not a valid ONNX model (truncated or corrupt "
                          "protobuf)";
    return nullptr;
  }
  if (!model.has_graph()) {
    emitError(fileLoc) << "'" << bufferName << "' has no graph";
    return nullptr;
  }
  Importer importer(context, model, bufferName, options);
  return importer.run();
}

OwningOpRef<ModuleOp> qopt::loadModel(StringRef path, MLIRContext *context,
                                      ArrayRef<std::string> inputShapes,
                                      std::string &error) {
  if (!path.ends_with(".onnx"))
    return parseSourceFile<ModuleOp>(path, context);
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf) {
    error = ("cannot read '" + path + "': " + buf.getError().message()).str();
    return nullptr;
  }
  ONNXImportOptions options;
  options.externalDataDir = modelDirectory(path);
  for (const std::string &spec : inputShapes) {
    error = parseInputShapeOption(spec, options);
    if (!error.empty())
      return nullptr;
  }
  return importONNX((*buf)->getBuffer(), path, context, options);
}

void qopt::registerFromONNXTranslation() {
  static llvm::cl::list<std::string> inputShapes(
      "input-shape",
      llvm::cl::desc("Fix an ONNX graph input's shape: NAME:1x3x224x224 "
                     "(repeatable)"));
  static TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model into the qnn dialect",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        ONNXImportOptions options;
        options.externalDataDir = modelDirectory(buf->getBufferIdentifier());
        for (const std::string &spec : inputShapes) {
          std::string err = parseInputShapeOption(spec, options);
          if (!err.empty()) {
            emitError(UnknownLoc::get(context)) << err;
            return nullptr;
          }
        }
        return importONNX(buf->getBuffer(), buf->getBufferIdentifier(), context,
                          options);
      },
      [](DialectRegistry &registry) {
        registry.insert<QNNDialect, arith::ArithDialect, func::FuncDialect,
                        quant::QuantDialect, tensor::TensorDialect>();
      });
}
