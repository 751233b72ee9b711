//===- ControlFlowOps.cpp - ONNX If ----------------------------------------===//
//
// Part of qopt. If becomes scf.if: each branch graph is imported into its
// region (names of the enclosing graph stay visible, names a branch defines
// do not leak out), and the results take the join of the two branches'
// types (a dimension the branches disagree on is dynamic). A condition known
// at import time (exporters test shapes and ranks this way) imports only the
// branch taken, inline.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Runner/RuntimeSymbols.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace qopt::onnx_import;

namespace {

const onnx::GraphProto *branch(const onnx::NodeProto &node, StringRef name) {
  const auto *a = findAttr(node, name);
  return a && a->type() == onnx::AttributeProto::GRAPH ? &a->g() : nullptr;
}

/// Imports `g` at the current insertion point and returns its outputs.
FailureOr<SmallVector<Value>> importBranch(Importer &im,
                                           const onnx::NodeProto &node,
                                           const onnx::GraphProto &g) {
  if (failed(im.importSubgraph(g)))
    return failure();
  SmallVector<Value> outs;
  for (const auto &o : g.output()) {
    if (!im.has(o.name()))
      return im.nodeError(node) << "branch output '" << o.name()
                                << "' is not defined in the branch";
    outs.push_back(im.get(o.name()));
  }
  return outs;
}

/// The type both branches' values fit: dimensions that differ are dynamic.
FailureOr<Type> join(Importer &im, const onnx::NodeProto &node, Type a,
                     Type b) {
  if (a == b)
    return a;
  auto ta = cast<RankedTensorType>(a), tb = cast<RankedTensorType>(b);
  if (ta.getElementType() != tb.getElementType() ||
      ta.getRank() != tb.getRank())
    return im.unsupported(node, "branches returning " + std::to_string(0) +
                                    " values of different element types or "
                                    "ranks");
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(ta.getShape(), tb.getShape()))
    shape.push_back(x == y ? x : kDyn);
  return Type(RankedTensorType::get(shape, ta.getElementType()));
}

LogicalResult importIf(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  const onnx::GraphProto *thenG = branch(node, "then_branch"),
                         *elseG = branch(node, "else_branch");
  if (!thenG || !elseG)
    return im.nodeError(node) << "missing then_branch or else_branch";
  if (thenG->output_size() != node.output_size() ||
      elseG->output_size() != node.output_size())
    return im.nodeError(node) << "branches must have " << node.output_size()
                              << " outputs";
  RankedTensorType ct = im.typeOf(node.input(0));
  if (!ct.getElementType().isInteger(1) || ct.getNumElements() != 1)
    return im.nodeError(node) << "condition must be a single boolean, got "
                              << ct;
  Location loc = im.nodeLoc(node);
  // A condition known now: the branch taken, inline.
  if (auto c = im.getConstInts(node.input(0))) {
    const onnx::GraphProto &g = (*c)[0] ? *thenG : *elseG;
    if (failed(im.importSubgraph(g)))
      return failure();
    for (auto [i, o] : llvm::enumerate(g.output())) {
      if (!im.has(o.name()))
        return im.nodeError(node) << "branch output '" << o.name()
                                  << "' is not defined in the branch";
      if (ElementsAttr a = im.getConst(o.name()))
        im.setConst(node, a, i);
      else
        im.set(node, im.get(o.name()), i);
    }
    return success();
  }
  Value cv = im.get(node.input(0));
  SmallVector<Value> zeros(ct.getRank());
  for (Value &z : zeros)
    z = arith::ConstantIndexOp::create(im.builder, loc, 0);
  Value cond = tensor::ExtractOp::create(im.builder, loc, cv, zeros);
  auto probe = scf::IfOp::create(im.builder, loc, TypeRange{}, cond,
                                 /*withElseRegion=*/true);
  SmallVector<Value> outs[2];
  std::string failures[2];
  for (int k = 0; k < 2; ++k) {
    Block *blk = k == 0 ? probe.thenBlock() : probe.elseBlock();
    OpBuilder::InsertionGuard guard(im.builder);
    im.builder.setInsertionPoint(blk->getTerminator());
    Importer::Scope scope = im.saveScope();
    FailureOr<SmallVector<Value>> r;
    {
      // A branch may be valid only at input shapes other than the model's
      // (Silero VAD's 8 kHz branch at 16 kHz window sizes): keep its error.
      ScopedDiagnosticHandler capture(im.ctx, [&](Diagnostic &d) {
        if (d.getSeverity() != DiagnosticSeverity::Error)
          return failure(); // warnings pass through
        if (failures[k].empty())
          failures[k] = d.str();
        return success();
      });
      r = importBranch(im, node, k == 0 ? *thenG : *elseG);
    }
    im.restoreScope(std::move(scope));
    if (failed(r)) {
      // Nothing the failed import created stays.
      while (&blk->front() != blk->getTerminator()) {
        Operation *last = blk->getTerminator()->getPrevNode();
        last->dropAllUses();
        last->erase();
      }
      continue;
    }
    outs[k] = *r;
  }
  if (!failures[0].empty() && !failures[1].empty())
    return im.nodeError(node) << "neither branch imports; then: "
                              << failures[0] << "; else: " << failures[1];
  for (int k = 0; k < 2; ++k) {
    if (failures[k].empty())
      continue;
    emitWarning(loc) << "ONNX node '" << node.name() << "' (If): the "
                     << (k == 0 ? "then" : "else")
                     << " branch cannot be compiled for these input shapes ("
                     << failures[k]
                     << "); taking it at run time is an error";
    // The branch reports the error and yields placeholders.
    Block *blk = k == 0 ? probe.thenBlock() : probe.elseBlock();
    OpBuilder::InsertionGuard guard(im.builder);
    im.builder.setInsertionPoint(blk->getTerminator());
    auto module = blk->getParentOp()->getParentOfType<ModuleOp>();
    if (!module.lookupSymbol(qopt::kUnavailableBranchSymbol)) {
      OpBuilder::InsertionGuard g2(im.builder);
      im.builder.setInsertionPointToStart(module.getBody());
      auto decl = func::FuncOp::create(im.builder, loc,
                                       qopt::kUnavailableBranchSymbol,
                                       im.builder.getFunctionType({}, {}));
      decl.setPrivate();
    }
    func::CallOp::create(im.builder, loc, qopt::kUnavailableBranchSymbol,
                         TypeRange{});
    for (Value v : outs[1 - k]) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<Value> dyn;
      for (int64_t d = 0; d < t.getRank(); ++d)
        if (t.isDynamicDim(d))
          dyn.push_back(arith::ConstantIndexOp::create(im.builder, loc, 0));
      outs[k].push_back(tensor::EmptyOp::create(im.builder, loc, t.getShape(),
                                                t.getElementType(), dyn));
    }
  }
  SmallVector<Type> types;
  for (auto [a, b] : llvm::zip(outs[0], outs[1])) {
    auto t = join(im, node, a.getType(), b.getType());
    if (failed(t))
      return failure();
    types.push_back(*t);
  }
  auto ifOp = scf::IfOp::create(im.builder, loc, types, cond,
                                /*withElseRegion=*/true);
  for (int k = 0; k < 2; ++k) {
    Region &from = k == 0 ? probe.getThenRegion() : probe.getElseRegion();
    Region &to = k == 0 ? ifOp.getThenRegion() : ifOp.getElseRegion();
    to.getBlocks().clear();
    to.takeBody(from);
    Block &blk = to.front();
    blk.getTerminator()->erase();
    OpBuilder::InsertionGuard guard(im.builder);
    im.builder.setInsertionPointToEnd(&blk);
    SmallVector<Value> yielded;
    for (auto [v, t] : llvm::zip(outs[k], types))
      yielded.push_back(v.getType() == t
                            ? v
                            : (Value)tensor::CastOp::create(im.builder, loc, t,
                                                            v));
    scf::YieldOp::create(im.builder, loc, yielded);
  }
  probe.erase();
  for (unsigned i = 0; i < types.size(); ++i)
    im.set(node, ifOp.getResult(i), i);
  return success();
}

} // namespace

void qopt::onnx_import::registerControlFlowHandlers(HandlerTable &t) {
  t.onOp("If", 1, importIf);
}
