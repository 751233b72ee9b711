//===- ImportONNX.cpp - ONNX model importer: public entry points ----------===//
//
// Part of qopt. Parsing, tool-facing options and the `--import-onnx`
// translation; the importer itself is Importer.cpp and the handler files
// listed in Importer.h.
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/ONNX/ImportONNX.h"

#include "Importer.h"
#include "VersionConversion.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Support/MemoryLimit.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::qnn;
using qopt::ONNXImportOptions;
using qopt::onnx_import::Importer;

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
    return ("--input-shape expects NAME:DIMS (e.g. input:1x3x224x224, or "
            "input:?x3x224x224 to keep the batch dynamic), got '" +
            spec + "'")
        .str();
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p == "?") { // stays dynamic
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (p.getAsInteger(10, d) || d <= 0)
      return ("--input-shape '" + spec + "': '" + p +
              "' is not a positive dimension or '?'")
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
                       quant::QuantDialect, tensor::TensorDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       scf::SCFDialect>();
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
  // Opsets 1-6 of the default domain: ONNX's adapters bring the model to
  // the oldest opset the handlers read.
  int64_t opset = 0;
  for (const auto &os : model.opset_import())
    if (os.domain().empty() || os.domain() == "ai.onnx")
      opset = os.version();
  if (opset >= 1 && opset < onnx_import::kMinOpset) {
    std::string why;
    std::optional<onnx::ModelProto> converted =
        onnx_import::convertOpset(model, onnx_import::kMinOpset, why);
    if (!converted) {
      emitError(fileLoc) << "opset " << opset << " model: cannot convert it "
                         << "to opset " << onnx_import::kMinOpset
                         << " (ONNX's version converter; qopt's handlers "
                            "start there): "
                         << why;
      return nullptr;
    }
    model = std::move(*converted);
  }
  Importer importer(context, model, bufferName, options);
  return importer.run();
}

OwningOpRef<ModuleOp> qopt::loadModel(StringRef path, MLIRContext *context,
                                      ArrayRef<std::string> inputShapes,
                                      std::string &error,
                                      ArrayRef<SmallVector<int64_t>> examples) {
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
  options.exampleShapes.assign(examples.begin(), examples.end());
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
  static qopt::MaxMemoryOption maxMemory;
  static TranslateToMLIRRegistration registration(
      "import-onnx", "Import an ONNX model into the qnn dialect",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        ONNXImportOptions options;
        options.externalDataDir = modelDirectory(buf->getBufferIdentifier());
        if (llvm::Error e = maxMemory.apply()) {
          emitError(UnknownLoc::get(context)) << llvm::toString(std::move(e));
          return nullptr;
        }
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
                        quant::QuantDialect, tensor::TensorDialect,
                       linalg::LinalgDialect, math::MathDialect,
                       scf::SCFDialect>();
      });
}
