//===- ControlFlowOps.cpp - ONNX If and Loop ------------------------------===//
//
// Part of qopt. If becomes scf.if: each branch graph is imported into its
// region (names of the enclosing graph stay visible, names a branch defines
// do not leak out), and the results take the join of the two branches'
// types (a dimension the branches disagree on is dynamic). A condition known
// at import time (exporters test shapes and ranks this way) imports only the
// branch taken, inline. A Loop with a constant trip count whose condition
// stays true (what exporters write for counted loops) becomes an scf.for;
// a data-dependent trip count is an error that says so.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Runner/RuntimeSymbols.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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
  if (failed(im.importSubgraph(g, node)))
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
FailureOr<Type> join(Importer &im, const onnx::NodeProto &node, unsigned i,
                     Type a, Type b) {
  if (a == b)
    return a;
  auto ta = cast<RankedTensorType>(a), tb = cast<RankedTensorType>(b);
  if (ta.getElementType() != tb.getElementType() ||
      ta.getRank() != tb.getRank())
    return im.unsupported(node, "branches whose output " + std::to_string(i) +
                                    " differs in element type or rank (" +
                                    typeString(ta) + " and " + typeString(tb) +
                                    ")");
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
    if (failed(im.importSubgraph(g, node)))
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
  for (auto [i, ab] : llvm::enumerate(llvm::zip(outs[0], outs[1]))) {
    auto [a, b] = ab;
    auto t = join(im, node, i, a.getType(), b.getType());
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

/// Imports a Loop body into the body of an scf.for over [0, trips) with the
/// loop-carried values `inits` and, if `scanTypes` is set, one [trips, ...]
/// buffer per scan output. Returns the loop (results: carried values, then
/// buffers) and, through `scanOut`, the scan outputs' types.
FailureOr<scf::ForOp> buildLoop(Importer &im, const onnx::NodeProto &node,
                                const onnx::GraphProto &body, int64_t trips,
                                ValueRange inits,
                                std::optional<SmallVector<Type>> scanTypes,
                                SmallVectorImpl<Type> &scanOut) {
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  int nv = inits.size();
  SmallVector<Value> iterInits(inits);
  if (scanTypes)
    for (Type t : *scanTypes) {
      auto st = cast<RankedTensorType>(t);
      SmallVector<int64_t> shape{trips};
      shape.append(st.getShape().begin(), st.getShape().end());
      iterInits.push_back(
          tensor::EmptyOp::create(b, loc, shape, st.getElementType()));
    }
  Value lb = arith::ConstantIndexOp::create(b, loc, 0);
  Value ub = arith::ConstantIndexOp::create(b, loc, trips);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(b, loc, lb, ub, step, iterInits);
  Block *blk = loop.getBody();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(blk);
  Importer::Scope scope = im.saveScope();
  auto bindInput = [&](int k, Value v) {
    if (k < body.input_size() && !body.input(k).name().empty())
      im.rebind(body.input(k).name(), v);
  };
  Value iter = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                          loop.getInductionVar());
  bindInput(0, tensor::FromElementsOp::create(
                   b, loc, RankedTensorType::get({}, b.getI64Type()), iter));
  bindInput(1, arith::ConstantOp::create(
                   b, loc, DenseElementsAttr::get(
                               RankedTensorType::get({}, b.getI1Type()), true)));
  for (int k = 0; k < nv; ++k)
    bindInput(2 + k, blk->getArgument(1 + k));
  auto fail = [&]() -> FailureOr<scf::ForOp> {
    im.restoreScope(std::move(scope));
    loop.erase();
    return failure();
  };
  if (failed(im.importSubgraph(body, node)))
    return fail();
  // The condition must stay true: then the loop is a counted loop.
  auto c = im.getConstInts(body.output(0).name());
  if (!c || c->size() != 1 || (*c)[0] == 0) {
    (void)im.unsupported(node, "a Loop whose condition is computed in the "
                               "body (the trip count would depend on the "
                               "data)");
    return fail();
  }
  SmallVector<Value> yields;
  for (int k = 0; k < nv; ++k) {
    StringRef name = body.output(1 + k).name();
    if (!im.has(name)) {
      im.nodeError(node) << "body output '" << name << "' is undefined";
      return fail();
    }
    Value v = im.get(name);
    if (v.getType() != inits[k].getType()) {
      if (!tensor::CastOp::areCastCompatible(v.getType(), inits[k].getType())) {
        (void)im.unsupported(node, "a loop-carried value whose type changes "
                                   "between iterations");
        return fail();
      }
      v = tensor::CastOp::create(b, loc, inits[k].getType(), v);
    }
    yields.push_back(v);
  }
  for (int k = 1 + nv; k < body.output_size(); ++k) {
    StringRef name = body.output(k).name();
    if (!im.has(name)) {
      im.nodeError(node) << "body output '" << name << "' is undefined";
      return fail();
    }
    Value v = im.get(name);
    auto vt = cast<RankedTensorType>(v.getType());
    if (!vt.hasStaticShape()) {
      (void)im.unsupported(node, "a scan output of dynamic shape");
      return fail();
    }
    scanOut.push_back(vt);
    if (!scanTypes)
      continue;
    // buffer[iv] = v
    Value buf = blk->getArgument(1 + nv + (k - 1 - nv));
    SmallVector<OpFoldResult> offs{OpFoldResult(loop.getInductionVar())};
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(1)};
    SmallVector<OpFoldResult> strides{b.getIndexAttr(1)};
    for (int64_t d : vt.getShape()) {
      offs.push_back(b.getIndexAttr(0));
      sizes.push_back(b.getIndexAttr(d));
      strides.push_back(b.getIndexAttr(1));
    }
    yields.push_back(
        tensor::InsertSliceOp::create(b, loc, v, buf, offs, sizes, strides));
  }
  scf::YieldOp::create(b, loc, yields);
  im.restoreScope(std::move(scope));
  return loop;
}

/// Loop with a constant trip count and a condition that stays true: an
/// scf.for carrying the loop values, scan outputs stacked into [M, ...].
LogicalResult importLoop(Importer &im, const onnx::NodeProto &node) {
  // M and cond are optional (empty names); the loop-carried values are not.
  if (node.input_size() < 2)
    return im.nodeError(node) << "expects at least the M and cond inputs "
                                 "(either may be empty)";
  for (int i = 0; i < node.input_size(); ++i)
    if (!node.input(i).empty() && !im.has(node.input(i)))
      return im.nodeError(node) << "input '" << node.input(i)
                                << "' is not defined before use";
  const onnx::GraphProto *body = branch(node, "body");
  if (!body)
    return im.nodeError(node) << "missing body";
  int nv = node.input_size() - 2;
  if (body->input_size() != nv + 2 || body->output_size() < nv + 1 ||
      node.output_size() > body->output_size() - 1)
    return im.nodeError(node) << "body signature does not match the node's "
                              << nv << " loop-carried values";
  if (!im.hasInput(node, 0))
    return im.unsupported(node, "a Loop without a trip count");
  auto m = im.getConstInts(node.input(0));
  if (!m || m->size() != 1)
    return im.unsupported(node, "a trip count computed at run time");
  constexpr int64_t kMaxTrips = int64_t(1) << 24;
  if ((*m)[0] < 0 || (*m)[0] > kMaxTrips)
    return im.unsupported(node, "a trip count outside [0, " +
                                    Twine(kMaxTrips) + "]");
  if (im.hasInput(node, 1)) {
    auto c = im.getConstInts(node.input(1));
    if (!c || c->size() != 1)
      return im.unsupported(node, "an initial condition computed at run time");
    if ((*c)[0] == 0) { // no iteration: the initial values, empty scans
      for (int k = 0; k < nv; ++k)
        im.set(node, im.get(node.input(2 + k)), k);
      if (node.output_size() > nv)
        return im.unsupported(node, "scan outputs of a Loop that never runs");
      return success();
    }
  }
  SmallVector<Value> inits;
  for (int k = 0; k < nv; ++k) {
    if (!im.has(node.input(2 + k)))
      return im.nodeError(node) << "input '" << node.input(2 + k)
                                << "' is not defined before use";
    inits.push_back(im.get(node.input(2 + k)));
  }
  // With scan outputs, a first pass learns their types and the second
  // builds the loop.
  SmallVector<Type> scanTypes, unused;
  bool scans = body->output_size() > nv + 1;
  if (scans) {
    auto probe = buildLoop(im, node, *body, (*m)[0], inits, std::nullopt,
                           scanTypes);
    if (failed(probe))
      return failure();
    probe->erase();
  }
  auto loop = buildLoop(im, node, *body, (*m)[0], inits,
                        std::optional<SmallVector<Type>>(scanTypes), unused);
  if (failed(loop))
    return failure();
  for (int k = 0; k < node.output_size(); ++k)
    im.set(node, loop->getResult(k), k);
  return success();
}

} // namespace

void qopt::onnx_import::registerControlFlowHandlers(HandlerTable &t) {
  t.onOp("If", 1, importIf);
  t.onOp("Loop", 1, importLoop);
}
