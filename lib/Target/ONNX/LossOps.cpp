//===- LossOps.cpp - NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss ---===//
//
// Part of qopt. The two loss ops of the default domain, as inference graphs
// use them (a model exported with its loss head, evaluation graphs):
//
//   NLL:  loss[n, d..] = -input[n, t, d..] * w[t]   (t = target[n, d..]),
//         0 where t == ignore_index; reduction none, sum, or mean =
//         sum(loss) / sum(w[t] over the targets not ignored)
//   SCE:  NLL of log_softmax(scores) over axis 1, the log-probabilities as
//         an optional second output.
//
// Targets outside [0, C) that are not ignore_index are undefined in ONNX;
// they are clamped into range (as ONNX's reference clips the weight
// gather) rather than read out of bounds.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

namespace {

/// The loss of log-probabilities `logp` [N, C, d..] against the targets
/// (input `targetIdx`) with optional class weights (input `weightIdx`),
/// set as the node's output 0.
LogicalResult emitNLL(Importer &im, const onnx::NodeProto &node, Value logp,
                      int targetIdx, int weightIdx) {
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  auto xt = cast<RankedTensorType>(logp.getType());
  RankedTensorType tt = im.typeOf(node.input(targetIdx));
  Type et = xt.getElementType();
  if (!isa<FloatType>(et))
    return im.nodeError(node) << "expects float scores, got " << et;
  if (xt.getRank() < 2)
    return im.nodeError(node) << "expects scores of rank >= 2 ([N, C, ...])";
  if (!isa<IntegerType>(tt.getElementType()) ||
      tt.getRank() != xt.getRank() - 1)
    return im.nodeError(node) << "target must be an integer tensor of rank "
                              << xt.getRank() - 1 << ", got " << tt;
  for (int64_t d = 0; d < tt.getRank(); ++d) {
    int64_t a = tt.getDimSize(d), s = xt.getDimSize(d == 0 ? 0 : d + 1);
    if (a != ShapedType::kDynamic && s != ShapedType::kDynamic && a != s)
      return im.nodeError(node)
             << "target shape " << tt << " does not match the scores' " << xt;
  }
  Value target = im.toSignless(loc, im.get(node.input(targetIdx)));
  Value weight;
  if (im.hasInput(node, weightIdx)) {
    RankedTensorType wt = im.typeOf(node.input(weightIdx));
    if (wt.getRank() != 1 || wt.getElementType() != et ||
        (!wt.isDynamicDim(0) && !xt.isDynamicDim(1) &&
         wt.getDimSize(0) != xt.getDimSize(1)))
      return im.nodeError(node) << "weight must be a 1-D tensor of one " << et
                                << " per class, got " << wt;
    weight = im.get(node.input(weightIdx));
  }
  std::string reduction = getString(node, "reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return im.nodeError(node)
           << "reduction must be none, sum or mean, got '" << reduction << "'";
  std::optional<int64_t> ignore;
  if (findAttr(node, "ignore_index"))
    ignore = getInt(node, "ignore_index", 0);

  auto outType = RankedTensorType::get(tt.getShape(), et);
  Value classes = tensor::DimOp::create(b, loc, logp, 1);
  auto isIgnored = [&](OpBuilder &nb, Location l, Value t) -> Value {
    if (!ignore)
      return arith::ConstantOp::create(nb, l, nb.getBoolAttr(false));
    return arith::CmpIOp::create(
        nb, l, arith::CmpIPredicate::eq, t,
        arith::ConstantOp::create(nb, l,
                                  nb.getIntegerAttr(t.getType(), *ignore)));
  };
  // The weight of each target: w[t] (1 without weights), 0 when ignored.
  auto weightOf = [&](OpBuilder &nb, Location l, Value t) -> Value {
    Value w = sc::constant(nb, l, et, 1.0);
    if (weight)
      w = tensor::ExtractOp::create(
          nb, l, weight, ValueRange{sc::boundedIndex(nb, l, t, classes)});
    return arith::SelectOp::create(nb, l, isIgnored(nb, l, t),
                                   sc::constant(nb, l, et, 0.0), w);
  };
  // Both read the target at the output position.
  SmallVector<AffineMap> targetMap = {b.getMultiDimIdentityMap(tt.getRank())};
  Value w =
      generate(im, loc, outType, dynDims(im, loc, target), {target}, targetMap,
               [&](OpBuilder &nb, Location l, ValueRange, ValueRange a) {
                 return weightOf(nb, l, a[0]);
               });
  Value loss = generate(
      im, loc, outType, dynDims(im, loc, target), {target}, targetMap,
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange a) -> Value {
        Value t = a[0];
        // The target's other dimensions are checked against the scores'
        // when static; dynamic ones are clamped into them.
        SmallVector<Value> at = {ivs[0], sc::boundedIndex(nb, l, t, classes)};
        at.append(ivs.begin() + 1, ivs.end());
        for (size_t k = 0; k < at.size(); ++k)
          if (k != 1 &&
              (xt.isDynamicDim(k) || tt.isDynamicDim(k == 0 ? 0 : k - 1)))
            at[k] = sc::boundedIndex(nb, l, at[k],
                                     tensor::DimOp::create(nb, l, logp, k));
        Value v = tensor::ExtractOp::create(nb, l, logp, at);
        // -v * w, with 0 (not -0 * w) for an ignored target.
        Value prod = arith::MulFOp::create(
            nb, l, arith::NegFOp::create(nb, l, v), weightOf(nb, l, t));
        return arith::SelectOp::create(nb, l, isIgnored(nb, l, t),
                                       sc::constant(nb, l, et, 0.0), prod);
      });
  if (reduction == "none") {
    im.set(node, loss, 0);
    return success();
  }
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < outType.getRank(); ++d)
    all.push_back(d);
  Value total = reduceAxes(im, loc, loss, all, /*isMax=*/false, false);
  if (reduction == "sum") {
    im.set(node, total, 0);
    return success();
  }
  Value weights = reduceAxes(im, loc, w, all, /*isMax=*/false, false);
  auto mean =
      im.mapElements(node, {total, weights}, et,
                     [](OpBuilder &nb, Location l, const ScalarArgs &a) {
                       return (Value)arith::DivFOp::create(nb, l, a[0], a[1]);
                     });
  if (failed(mean))
    return failure();
  im.set(node, *mean, 0);
  return success();
}

LogicalResult importNLL(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  return emitNLL(im, node, im.get(node.input(0)), 1, 2);
}

LogicalResult importSCE(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  RankedTensorType xt = im.typeOf(node.input(0));
  if (!isa<FloatType>(xt.getElementType()) || xt.getRank() < 2)
    return im.nodeError(node)
           << "expects float scores of rank >= 2 ([N, C, ...]), got " << xt;
  auto logp = logSoftmax(im, node, im.get(node.input(0)), 1);
  if (failed(logp) || failed(emitNLL(im, node, *logp, 1, 2)))
    return failure();
  im.set(node, *logp, 1);
  return success();
}

} // namespace

void qopt::onnx_import::registerLossHandlers(HandlerTable &t) {
  t.onOp("NegativeLogLikelihoodLoss", 12, importNLL);
  t.onOp("SoftmaxCrossEntropyLoss", 12, importSCE);
}
