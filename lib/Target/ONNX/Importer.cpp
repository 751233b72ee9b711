//===- Importer.cpp - The ONNX importer -----------------------------------===//
//
// Part of qopt. Diagnostics, tensors and external data, values, graph inputs,
// the node loop and the handler table.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Support/MemoryLimit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"
#include "qopt/Dialect/QNN/Utils/RowCounts.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Traits.h"

#include <queue>

using namespace mlir;
using namespace mlir::qnn;
using namespace qopt::onnx_import;

/// Float -> integer conversion as ONNX's Cast does it (truncation), defined
/// for every input: NaN becomes 0 and out-of-range values saturate (a plain
/// cast would be undefined behaviour).
namespace qopt::onnx_import {

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

} // namespace qopt::onnx_import

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
      return nodeError(node)
             << "input '" << node.input(i) << "' is not defined before use";
  }
  return success();
}

std::string qopt::onnx_import::typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

FailureOr<Type> Importer::elementType(int32_t t, Location loc) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return Type(Float32Type::get(ctx));
  case onnx::TensorProto::DOUBLE:
    return Type(Float64Type::get(ctx));
  case onnx::TensorProto::FLOAT16:
    return Type(Float16Type::get(ctx));
  case onnx::TensorProto::BFLOAT16:
    return Type(BFloat16Type::get(ctx));
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
  case onnx::TensorProto::UINT16:
    return Type(IntegerType::get(ctx, 16, IntegerType::Unsigned));
  case onnx::TensorProto::UINT32:
    return Type(IntegerType::get(ctx, 32, IntegerType::Unsigned));
  case onnx::TensorProto::UINT64:
    return Type(IntegerType::get(ctx, 64, IntegerType::Unsigned));
  // INT4 / UINT4 (ONNX 1.16; Debian's ONNX 1.12 has no names for them, and
  // data_type is a plain int32 field): blocked DequantizeLinear and
  // MatMulNBits weights.
  case kOnnxUInt4:
    return Type(IntegerType::get(ctx, 4, IntegerType::Unsigned));
  case kOnnxInt4:
    return Type(IntegerType::get(ctx, 4));
  default:
    return emitError(loc) << "unsupported ONNX element type "
                          << onnx::TensorProto::DataType_Name(
                                 static_cast<onnx::TensorProto::DataType>(t));
  }
}

/// Bytes of one element of an ONNX tensor type (4-bit ones take a byte
/// once unpacked).
static unsigned elementBytes(Type t) {
  if (t.isInteger(1) || t.isInteger(4))
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
      return emitError(loc)
             << "tensor '" << t.name() << "' has a negative dimension";
  unsigned eb = elementBytes(*et);
  std::optional<int64_t> count = qopt::checkedNumElements(shape);
  if (!count || !qopt::checkedMul(*count, (int64_t)eb))
    return emitError(loc) << "tensor '" << t.name() << "' has dimensions "
                          << qopt::shapeString(shape)
                          << " whose size overflows 64 bits";
  auto type = RankedTensorType::get(shape, *et);
  int64_t n = *count;
  // Each tensor's bytes are held about twice while importing (the raw
  // bytes and the attribute); the budget counts them once, as the model
  // keeps them.
  uint64_t limit = options.memoryLimit ? options.memoryLimit
                                       : qopt::processMemoryLimit();
  uint64_t tensorBytes = (uint64_t)(n * eb);
  if (tensorBytes > limit || importedTensorBytes > limit - tensorBytes)
    return emitError(loc) << "tensor '" << t.name() << "' ("
                          << qopt::formatBytes(tensorBytes)
                          << ") brings the model's tensors to more than the "
                             "memory limit of "
                          << qopt::formatBytes(limit) << "; "
                          << qopt::kMemoryLimitAdvice;
  importedTensorBytes += tensorBytes;

  // 4-bit tensors are stored two elements per byte, the first in the low
  // nibble (raw, external and int32_data alike).
  bool nibbles = (*et).isInteger(4);
  int64_t storedBytes = nibbles ? (n + 1) / 2 : n * eb;
  // Gather the little-endian bytes, wherever the proto keeps them.
  std::string bytes;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto slice = readExternalData(t, storedBytes, loc);
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
    case kOnnxUInt4:
    case kOnnxInt4:
      append(t.int32_data(), [](int32_t v) { return (uint8_t)v; });
      break;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: // bit patterns, as for FLOAT16
    case onnx::TensorProto::UINT16:
      append(t.int32_data(), [](int32_t v) { return (uint16_t)v; });
      break;
    case onnx::TensorProto::UINT32:
      append(t.uint64_data(), [](uint64_t v) { return (uint32_t)v; });
      break;
    case onnx::TensorProto::UINT64:
      append(t.uint64_data(), [](uint64_t v) { return v; });
      break;
    default:
      break;
    }
  }
  if ((int64_t)bytes.size() != storedBytes)
    return emitError(loc) << "tensor '" << t.name() << "' holds "
                          << bytes.size() << " bytes of data, expected "
                          << storedBytes << " for shape " << type;
  if (nibbles) {
    std::string unpacked(n, '\0');
    for (int64_t i = 0; i < n; ++i)
      unpacked[i] = (char)(((uint8_t)bytes[i / 2] >> (4 * (i % 2))) & 15);
    bytes = std::move(unpacked);
  }

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

FailureOr<std::string> Importer::readExternalData(const onnx::TensorProto &t,
                                                  int64_t expectedBytes,
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
                          << "' stores its data in external file '" << location
                          << "', " << what;
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
    return fail("with length " + Twine(length) +
                ", but the tensor's shape "
                "needs " +
                Twine(expectedBytes) + " bytes");
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

DenseElementsAttr Importer::getDenseConst(StringRef name) const {
  ElementsAttr a = getConst(name);
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(a))
    return dense;
  if (auto blob = dyn_cast_or_null<DenseF32ResourceElementsAttr>(a)) {
    if (a.getNumElements() > kMaxFoldElements)
      return nullptr;
    auto data = blob.tryGetAsArrayRef();
    if (!data)
      return nullptr;
    return DenseElementsAttr::get(cast<ShapedType>(a.getType()), *data);
  }
  return nullptr;
}

std::optional<SmallVector<double>>
Importer::getConstFloats(StringRef name) const {
  ElementsAttr a = getConst(name);
  if (!a)
    return std::nullopt;
  // Initializer data is bounded by the model's size, but a splat (from
  // ConstantOfShape) can stand for any number of elements: do not expand a
  // large one.
  if (auto dense = dyn_cast<DenseElementsAttr>(a);
      dense && dense.isSplat() && a.getNumElements() > kMaxFoldElements)
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

LogicalResult Importer::importNode(const HandlerTable &table,
                                   const onnx::NodeProto &node) {
  nodeOpTypes.try_emplace(displayName(node), node.op_type());
  const Handler *handler = nullptr;
  if (node.domain() == "com.microsoft") {
    handler = table.lookup("com.microsoft." + node.op_type(), 1);
    if (!handler)
      return unsupported(node, "op type " + node.op_type() +
                                   " of domain com.microsoft (qopt imports "
                                   "ONNX Runtime's QOperator ops QLinearAdd, "
                                   "QLinearMul, QLinearSigmoid, "
                                   "QLinearLeakyRelu, QLinearConcat, "
                                   "QLinearGlobalAveragePool, "
                                   "QLinearAveragePool and QGemm, and "
                                   "quantize_dynamic's MatMulIntegerToFloat "
                                   "and DynamicQuantizeMatMul, and "
                                   "MatMulNBits)");
  } else if (!node.domain().empty() && node.domain() != "ai.onnx") {
    return nodeError(node) << "unsupported op domain '" << node.domain() << "'";
  } else {
    handler = table.lookup(node.op_type(), opset);
  }
  // Ops whose output shape depends on the values they read.
  static const llvm::StringSet<> dataDependent = {
      "NonZero", "NonMaxSuppression", "Unique", "Compress",
      "SequenceConstruct", "SplitToSequence", "ConcatFromSequence"};
  if (!handler && dataDependent.contains(node.op_type()))
    return unsupported(node, "op type " + node.op_type() +
                                 ", whose output shape depends on the data "
                                 "(qopt compiles ranked tensors of shapes "
                                 "known from the inputs' shapes)");
  if (!handler)
    return unsupported(node, table.knows(node.op_type())
                                 ? "op type " + node.op_type() +
                                       " before opset " +
                                       std::to_string(opset + 1)
                                 : "op type " + node.op_type());
  if (llvm::all_of(node.output(),
                   [](const std::string &o) { return o.empty(); }))
    return nodeError(node) << "has no output";
  if (succeeded(trySymbolic(node)))
    return propagateRowCounts(node);
  if (failed((*handler)(*this, node)))
    return failure();
  if (failed(propagateRowCounts(node)))
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
  // Sizes of symbolic dimensions (by name) that example inputs fix: those
  // other than a leading batch, and then every occurrence of the same name,
  // the batch included (Silero VAD's state [2, batch, 64] beside its input
  // [batch, samples] fixes the batch for both).
  // Each input's example: by position among the inputs that are not
  // initializers, and only where its rank is the model's.
  llvm::StringMap<const SmallVector<int64_t> *> exampleOf;
  size_t position = 0;
  for (const auto &in : graph.input()) {
    if (initNames.contains(in.name()))
      continue;
    size_t at = position++;
    if (at < options.exampleShapes.size() && in.type().has_tensor_type() &&
        in.type().tensor_type().has_shape() &&
        (int64_t)options.exampleShapes[at].size() ==
            in.type().tensor_type().shape().dim_size())
      exampleOf[in.name()] = &options.exampleShapes[at];
  }
  llvm::StringMap<int64_t> bound;
  for (const auto &in : graph.input()) {
    auto example = exampleOf.find(in.name());
    if (example == exampleOf.end() || options.inputShapes.count(in.name()))
      continue;
    const auto &dims = in.type().tensor_type().shape().dim();
    for (int i = 1; i < dims.size(); ++i)
      if (!dims[i].has_dim_value() && !dims[i].dim_param().empty())
        bound.try_emplace(dims[i].dim_param(), (*example->second)[i]);
  }
  for (const auto &in : graph.input()) {
    if (initNames.contains(in.name()))
      continue; // an initializer listed as input (IR < 4): a weight
    const SmallVector<int64_t> *example = exampleOf.lookup(in.name());
    Location loc = NameLoc::get(StringAttr::get(ctx, in.name()),
                                FileLineColLoc::get(ctx, bufferName, 0, 0));
    if (!in.type().has_tensor_type())
      return emitError(loc)
             << "graph input '" << in.name() << "' is not a tensor";
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
        auto b =
            d.dim_param().empty() ? bound.end() : bound.find(d.dim_param());
        if (b != bound.end()) {
          shape.push_back(b->second);
          continue;
        }
        // A symbolic leading dimension is the batch: keep it dynamic.
        if (i == 0) {
          shape.push_back(kDyn);
          continue;
        }
        // Others (unnamed ones) take the size of the example input.
        if (example) {
          shape.push_back((*example)[i]);
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
      return emitError(loc)
             << "graph input '" << in.name() << "' has shape "
             << qopt::shapeString(shape) << ", whose size overflows 64 bits";
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
                       << " of the default domain; qopt imports opsets 1 "
                       << "through " << kMaxOpset << " (below " << kMinOpset
                       << " through ONNX's version converter)";
    return nullptr;
  }
  const HandlerTable &table = getHandlerTable();

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
    auto attr = tensorToAttr(
        init, NameLoc::get(StringAttr::get(ctx, init.name()), fileLoc));
    if (failed(attr))
      return nullptr;
    if (!values.count(init.name()))
      constants[init.name()] = *attr;
  }
  if (failed(importNodes(table, model.graph())))
    return nullptr;

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  // Outputs whose size depends on the data: padded, with their row count
  // as an extra result after the graph's own.
  SmallVector<std::pair<unsigned, RowCount>> counted;
  for (const auto &out : model.graph().output()) {
    if (!has(out.name())) {
      emitError(fileLoc) << "graph output '" << out.name()
                         << "' is not produced by any node";
      return nullptr;
    }
    if (const RowCount *r = getRowCount(out.name()))
      counted.push_back({(unsigned)results.size(), *r});
    results.push_back(toRaw(fileLoc, get(out.name())));
    resultTypes.push_back(results.back().getType());
  }
  for (auto &[i, r] : counted) {
    results.push_back(r.count);
    resultTypes.push_back(r.count.getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(model.graph().output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(out.name()));
  for (auto [k, entry] : llvm::enumerate(counted)) {
    auto &[i, r] = entry;
    unsigned countIndex = model.graph().output_size() + k;
    func.setResultAttr(i, qnn::kRowCountResultAttrName,
                       builder.getI64IntegerAttr(countIndex));
    func.setResultAttr(i, qnn::kRowAxisAttrName,
                       builder.getI64IntegerAttr(r.axis));
    func.setResultAttr(
        countIndex, "onnx.name",
        builder.getStringAttr(model.graph().output(i).name() + ".rows"));
    func.setResultAttr(countIndex, qnn::kRowCountOfAttrName,
                       builder.getI64IntegerAttr(i));
  }
  SmallVector<NamedAttribute> types;
  for (const auto &kv : nodeOpTypes)
    types.push_back(
        builder.getNamedAttr(kv.first(), builder.getStringAttr(kv.second)));
  (*module)->setAttr(qnn::kONNXOpTypesAttrName,
                     builder.getDictionaryAttr(types));
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

LogicalResult Importer::importSubgraph(const onnx::GraphProto &graph,
                                       const onnx::NodeProto &owner) {
  const HandlerTable &table = getHandlerTable();
  // Nested control flow is bounded (a Loop imports its body twice, so
  // depth costs exponentially).
  constexpr int kMaxSubgraphDepth = 12;
  if (subgraphDepth >= kMaxSubgraphDepth)
    return unsupported(owner, "subgraphs (If/Loop bodies) nested more than " +
                                  Twine(kMaxSubgraphDepth) + " deep");
  struct DepthGuard {
    int &d;
    DepthGuard(int &d) : d(d) { ++d; }
    ~DepthGuard() { --d; }
  } guard(subgraphDepth);
  for (const auto &init : graph.initializer()) {
    auto attr = tensorToAttr(
        init, NameLoc::get(StringAttr::get(ctx, init.name()),
                           FileLineColLoc::get(ctx, bufferName, 0, 0)));
    if (failed(attr))
      return failure();
    values.erase(init.name());
    constants[init.name()] = *attr;
  }
  return importNodes(table, graph);
}

/// Names a node reads, including those its subgraphs (If/Loop/Scan bodies)
/// read from enclosing scopes.
static void collectReads(const onnx::NodeProto &node,
                         llvm::function_ref<void(const std::string &)> read) {
  for (const std::string &in : node.input())
    if (!in.empty())
      read(in);
  for (const auto &attr : node.attribute()) {
    auto visit = [&](const onnx::GraphProto &g) {
      for (const auto &inner : g.node())
        collectReads(inner, read);
      for (const auto &out : g.output())
        read(out.name());
    };
    if (attr.has_g())
      visit(attr.g());
    for (const auto &g : attr.graphs())
      visit(g);
  }
}

FailureOr<SmallVector<const onnx::NodeProto *>>
Importer::topologicalOrder(const onnx::GraphProto &graph) {
  int64_t n = graph.node_size();
  llvm::StringMap<int64_t> producer;
  for (int64_t i = 0; i < n; ++i)
    for (const std::string &out : graph.node(i).output())
      if (!out.empty())
        producer.try_emplace(out, i);
  // Edges producer -> reader; a name no node of this graph produces is a
  // graph input, an initializer or an enclosing scope's value.
  std::vector<SmallVector<int64_t>> readers(n);
  std::vector<int64_t> pending(n, 0);
  for (int64_t i = 0; i < n; ++i) {
    llvm::SmallDenseSet<int64_t> deps;
    collectReads(graph.node(i), [&](const std::string &name) {
      auto it = producer.find(name);
      if (it != producer.end() && it->second != i)
        deps.insert(it->second);
    });
    for (int64_t d : deps)
      readers[d].push_back(i);
    pending[i] = deps.size();
  }
  // Kahn's algorithm, always taking the ready node that comes first in the
  // file, so a sorted graph keeps its order.
  std::priority_queue<int64_t, std::vector<int64_t>, std::greater<int64_t>>
      ready;
  for (int64_t i = 0; i < n; ++i)
    if (!pending[i])
      ready.push(i);
  SmallVector<const onnx::NodeProto *> order;
  order.reserve(n);
  while (!ready.empty()) {
    int64_t i = ready.top();
    ready.pop();
    order.push_back(&graph.node(i));
    for (int64_t r : readers[i])
      if (--pending[r] == 0)
        ready.push(r);
  }
  if ((int64_t)order.size() != n) {
    for (int64_t i = 0; i < n; ++i)
      if (pending[i])
        return nodeError(graph.node(i))
               << "is on a cycle of the graph (a node reads, directly or "
                  "through others, a value it produces)";
  }
  return order;
}

LogicalResult Importer::importNodes(const HandlerTable &table,
                                    const onnx::GraphProto &graph) {
  auto order = topologicalOrder(graph);
  if (failed(order))
    return failure();
  for (const onnx::NodeProto *node : *order)
    if (failed(importNode(table, *node)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// The handler table
//===----------------------------------------------------------------------===//

void HandlerTable::onOp(StringRef opType, int64_t since, Handler handler) {
  auto &versions = table[opType];
  versions.emplace_back(since, std::move(handler));
  llvm::sort(versions,
             [](const auto &a, const auto &b) { return a.first < b.first; });
}

const Handler *HandlerTable::lookup(StringRef opType, int64_t opset) const {
  auto it = table.find(opType);
  if (it == table.end())
    return nullptr;
  const Handler *found = nullptr;
  for (const auto &[since, handler] : it->second)
    if (since <= opset)
      found = &handler;
  return found;
}

std::vector<std::pair<std::string, SmallVector<int64_t>>>
HandlerTable::entries() const {
  std::vector<std::pair<std::string, SmallVector<int64_t>>> out;
  for (const auto &kv : table) {
    SmallVector<int64_t> since;
    for (const auto &version : kv.second)
      since.push_back(version.first);
    out.emplace_back(kv.first().str(), std::move(since));
  }
  llvm::sort(out, [](const auto &a, const auto &b) { return a.first < b.first; });
  return out;
}

std::vector<qopt::ONNXOpSupport> qopt::listONNXOps() {
  std::vector<ONNXOpSupport> out;
  for (auto &[name, since] : onnx_import::getHandlerTable().entries()) {
    ONNXOpSupport op;
    StringRef n = name;
    if (n.consume_front("com.microsoft."))
      op.domain = "com.microsoft";
    op.opType = n.str();
    op.sinceVersions.assign(since.begin(), since.end());
    out.push_back(std::move(op));
  }
  return out;
}

const HandlerTable &qopt::onnx_import::getHandlerTable() {
  static const HandlerTable table = [] {
    HandlerTable t;
    registerNNHandlers(t);
    registerElementwiseHandlers(t);
    registerShapeHandlers(t);
    registerConstantHandlers(t);
    registerQuantizedHandlers(t);
    registerMathHandlers(t);
    registerReductionHandlers(t);
    registerDataDependentHandlers(t);
    registerDataMovementHandlers(t);
    registerResizeHandlers(t);
    registerControlFlowHandlers(t);
    registerRecurrentHandlers(t);
    registerNormalizationHandlers(t);
    registerLossHandlers(t);
    registerGridSampleHandlers(t);
    registerScatterHandlers(t);
    registerMicrosoftHandlers(t);
    registerBlockwiseHandlers(t);
    return t;
  }();
  return table;
}
