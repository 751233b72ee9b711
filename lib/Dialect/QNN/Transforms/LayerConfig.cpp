//===- LayerConfig.cpp - Per-layer quantization overrides -----------------===//
//
// Part of qopt. The JSON config of quantize-static (and of the passes that
// choose weights before it, such as round-weights) marks the ops it
// matches with discardable attributes that the quantization patterns read.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Transforms/LayerConfig.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/LocationName.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Regex.h"

using namespace mlir;
using namespace mlir::qnn;

bool qnn::isFloatIsland(Operation *op) {
  if (op->hasTrait<qnn::OpTrait::Quantizable>() ||
      op->hasTrait<mlir::OpTrait::ConstantLike>() || isa<ObserverOp>(op) ||
      op->getNumResults() != 1 ||
      !isa<linalg::GenericOp, ScalarFunctionOpInterface, SoftmaxOp>(op))
    return false;
  auto t = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return t && isa<FloatType>(t.getElementType());
}

LogicalResult qnn::applyLayerConfig(ModuleOp module, StringRef config,
                                    StringRef pass, bool warnUnmatched) {
  // The option is a JSON file's path, or the JSON itself (what the
  // quantization flow passes for a config given as an object).
  bool inline_ = StringRef(config).ltrim().starts_with("{");
  auto fail = [&](const Twine &message) -> LogicalResult {
    InFlightDiagnostic d = emitError(module.getLoc(), pass + ": ");
    if (inline_)
      d << "config (inline JSON): ";
    else
      d << "config '" << config << "': ";
    d << message;
    return failure();
  };
  std::unique_ptr<llvm::MemoryBuffer> text;
  if (inline_) {
    text = llvm::MemoryBuffer::getMemBuffer(config, "config");
  } else {
    auto buffer = llvm::MemoryBuffer::getFile(config);
    if (!buffer)
      return fail("cannot read: " + buffer.getError().message());
    text = std::move(*buffer);
  }
  auto json = llvm::json::parse(text->getBuffer());
  if (!json)
    return fail(llvm::toString(json.takeError()));
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *layers = root ? root->getArray("layers") : nullptr;
  if (!layers)
    return fail("expected an object with a \"layers\" array");
  struct Entry {
    std::string pattern, opType;
    std::unique_ptr<llvm::Regex> regex;
    NamedAttrList attrs;
    int64_t matched = 0;
  };
  SmallVector<Entry> entries;
  Builder b(module.getContext());
  for (auto [i, v] : llvm::enumerate(*layers)) {
    std::string where = "layers[" + std::to_string(i) + "]";
    const llvm::json::Object *o = v.getAsObject();
    if (!o)
      return fail(where + " is not an object");
    Entry e;
    for (const auto &[key, value] : *o) {
      if (key == "match") {
        auto str = value.getAsString();
        if (!str)
          return fail(where + ".match must be a string");
        e.pattern = str->str();
      } else if (key == "op_type") {
        auto str = value.getAsString();
        if (!str || str->empty())
          return fail(where + ".op_type must be an ONNX op type such as "
                              "\"HardSwish\"");
        e.opType = str->str();
      } else if (key == "keep_float") {
        auto flag = value.getAsBoolean();
        if (!flag)
          return fail(where + ".keep_float must be true or false");
        if (*flag)
          e.attrs.set(kKeepFloatAttrName, b.getUnitAttr());
      } else if (key == "weight_bits") {
        auto bits = value.getAsInteger();
        if (!bits || (*bits != 4 && *bits != 8))
          return fail(where + ".weight_bits must be 4 or 8");
        e.attrs.set(kWeightBitsAttrName, b.getI64IntegerAttr(*bits));
      } else if (key == "activation_bits") {
        auto bits = value.getAsInteger();
        if (!bits || (*bits != 8 && *bits != 16))
          return fail(where + ".activation_bits must be 8 or 16");
        e.attrs.set(kActivationBitsAttrName, b.getI64IntegerAttr(*bits));
      } else if (key == "per_channel") {
        auto flag = value.getAsBoolean();
        if (!flag)
          return fail(where + ".per_channel must be true or false");
        e.attrs.set(kPerChannelAttrName, b.getBoolAttr(*flag));
      } else {
        return fail(where + ": unknown key '" + key.str() +
                    "' (expected match, op_type, keep_float, weight_bits, "
                    "activation_bits, per_channel)");
      }
    }
    if (e.pattern.empty() && e.opType.empty())
      return fail(where + " has neither a \"match\" regex nor an "
                          "\"op_type\"");
    if (!e.pattern.empty()) {
      e.regex = std::make_unique<llvm::Regex>(e.pattern);
      std::string err;
      if (!e.regex->isValid(err))
        return fail(where + ".match '" + e.pattern + "': " + err);
    }
    entries.push_back(std::move(e));
  }
  // Every op that computes a float tensor for a node can be addressed:
  // quantizable ops (weights, outputs) and float islands (a HardSwish
  // lowered to a linalg.generic, a qnn.softmax), by node name or op type.
  llvm::StringSet<> knownNames, knownTypes;
  module.walk([&](Operation *op) {
    std::string name;
    SmallVector<std::string> types;
    // What an entry may set: everything on a quantizable op; the result's
    // width and keep_float on a float island (its result is observed and
    // quantized too) and on a model input, addressed through its observer
    // by the input's name.
    bool quantizable = op->hasTrait<qnn::OpTrait::Quantizable>();
    if (auto o = dyn_cast<ObserverOp>(op)) {
      if (!isa<BlockArgument>(o.getInput()) ||
          !isa<func::FuncOp>(o->getParentOp()))
        return;
      name = o.getName() ? o.getName()->str() : getLocationName(o.getLoc());
    } else {
      if (!quantizable && !isFloatIsland(op))
        return;
      // Text without debug info has lost the locations, but the observer
      // of the op's result keeps its producer's name.
      name = getLocationName(op->getLoc());
      if (name.empty() && op->getNumResults() == 1)
        for (Operation *user : op->getResult(0).getUsers())
          if (auto o = dyn_cast<ObserverOp>(user); o && o.getName())
            name = o.getName()->str();
      types = getONNXOpTypes(op);
    }
    knownNames.insert(name);
    for (const std::string &t : types)
      knownTypes.insert(t);
    for (Entry &e : entries) {
      if (e.regex && !e.regex->match(name))
        continue;
      if (!e.opType.empty() && !llvm::is_contained(types, e.opType))
        continue;
      for (NamedAttribute a : e.attrs)
        if (quantizable || a.getName() == kKeepFloatAttrName ||
            a.getName() == kActivationBitsAttrName)
          op->setAttr(a.getName(), a.getValue());
      ++e.matched;
      break;
    }
  });
  // The nearest names (or op types), by edit distance, for an entry that
  // matches nothing: a typo is the usual cause.
  auto nearest = [](StringRef key, const llvm::StringSet<> &known) {
    SmallVector<std::pair<unsigned, std::string>> scored;
    for (const auto &k : known)
      if (!k.getKey().empty())
        scored.push_back({key.edit_distance(k.getKey()), k.getKey().str()});
    llvm::sort(scored);
    std::string list;
    for (size_t i = 0; i < std::min<size_t>(3, scored.size()); ++i)
      list += (i ? ", '" : "'") + scored[i].second + "'";
    return list;
  };
  for (Entry &e : entries) {
    if (e.matched || !warnUnmatched)
      continue;
    InFlightDiagnostic w =
        emitWarning(module.getLoc(), pass + ": config entry ");
    if (!e.pattern.empty())
      w << "'" << e.pattern << "'";
    if (!e.opType.empty())
      w << (e.pattern.empty() ? "" : " ") << "with op_type '" << e.opType
        << "'";
    w << " matches no op";
    if (!e.opType.empty() && !knownTypes.contains(e.opType))
      w << "; op types in the model: " << nearest(e.opType, knownTypes);
    else if (!e.pattern.empty())
      w << "; nearest names: " << nearest(e.pattern, knownNames);
  }
  return success();
}
