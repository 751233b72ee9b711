//===- DataDependentOps.cpp - Import ops whose output size is data --------===//
//
// Part of qopt. NonMaxSuppression and NonZero become qnn ops whose result
// is padded to an upper bound, with the run-time count of real rows
// (RowCounts.cpp carries it to the graph outputs; TopK with a run-time K is
// in ReductionOps.cpp).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

#include <algorithm>

using namespace mlir;
using namespace qopt::onnx_import;

namespace {

LogicalResult importNonMaxSuppression(Importer &im,
                                      const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 5)))
    return failure();
  if (im.getSubgraphDepth() > 0)
    return im.unsupported(node, "NonMaxSuppression inside an If or Loop body "
                                "(its output size depends on the data)");
  RankedTensorType boxes = im.typeOf(node.input(0));
  RankedTensorType scores = im.typeOf(node.input(1));
  if (!boxes.getElementType().isF32() || !scores.getElementType().isF32())
    return im.nodeError(node) << "expects float boxes and scores, got " << boxes
                              << " and " << scores;
  if (boxes.getRank() != 3 || scores.getRank() != 3 || boxes.getDimSize(2) != 4)
    return im.nodeError(node)
           << "expects boxes [batches, boxes, 4] and scores [batches, "
              "classes, boxes], got "
           << boxes << " and " << scores;
  if (!boxes.hasStaticShape() || !scores.hasStaticShape())
    return im.unsupported(node, "boxes or scores of a dynamic shape (the "
                                "output's upper bound needs static sizes: "
                                "fix the model's inputs with --input-shape)");
  int64_t batches = boxes.getDimSize(0), n = boxes.getDimSize(1),
          classes = scores.getDimSize(1);
  if (scores.getDimSize(0) != batches || scores.getDimSize(2) != n)
    return im.nodeError(node)
           << "scores " << scores << " do not match boxes " << boxes;
  int64_t center = getInt(node, "center_point_box", 0);
  if (center != 0 && center != 1)
    return im.nodeError(node)
           << "center_point_box must be 0 or 1, got " << center;
  // The bound: every class of every batch keeps at most min(k, boxes).
  int64_t perClass = n;
  if (im.hasInput(node, 2)) {
    if (auto k = im.getConstInts(node.input(2))) {
      if (k->size() != 1)
        return im.nodeError(node)
               << "max_output_boxes_per_class must be one value";
      perClass = std::clamp<int64_t>((*k)[0], 0, n);
    }
  } else {
    perClass = 0; // absent: no output
  }
  if (auto thr = im.hasInput(node, 3) ? im.getConstFloats(node.input(3))
                                      : std::nullopt)
    if (thr->size() == 1 && !((*thr)[0] >= 0 && (*thr)[0] <= 1))
      return im.nodeError(node)
             << "iou_threshold must be in [0, 1], got " << (*thr)[0];
  int64_t rows = std::max<int64_t>(1, batches * classes * perClass);

  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  auto optional = [&](int i) -> Value {
    return im.hasInput(node, i) ? im.get(node.input(i)) : Value();
  };
  Type i64 = b.getI64Type();
  auto op = mlir::qnn::NonMaxSuppressionOp::create(
      b, loc, RankedTensorType::get({rows, 3}, i64),
      RankedTensorType::get({}, i64), im.get(node.input(0)),
      im.get(node.input(1)), optional(2), optional(3), optional(4),
      b.getI64IntegerAttr(center));
  im.set(node, op.getSelected());
  im.setRowCount(
      node.output(0),
      {0, op.getCount(), node.name().empty() ? node.output(0) : node.name()});
  return success();
}

LogicalResult importNonZero(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 1, 1)))
    return failure();
  if (im.getSubgraphDepth() > 0)
    return im.unsupported(node, "NonZero inside an If or Loop body (its "
                                "output size depends on the data)");
  RankedTensorType xt = im.typeOf(node.input(0));
  if (xt.getRank() == 0 || !xt.hasStaticShape())
    return im.unsupported(node, "a scalar or dynamic-shaped input (the "
                                "output's upper bound needs a static shape)");
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  Value x = im.toSignless(loc, im.get(node.input(0)));
  auto op = mlir::qnn::NonZeroOp::create(
      b, loc,
      RankedTensorType::get({xt.getRank(), xt.getNumElements()},
                            b.getI64Type()),
      RankedTensorType::get({}, b.getI64Type()), x);
  im.set(node, op.getIndices());
  im.setRowCount(
      node.output(0),
      {1, op.getCount(), node.name().empty() ? node.output(0) : node.name()});
  return success();
}

} // namespace

void qopt::onnx_import::registerDataDependentHandlers(HandlerTable &t) {
  t.onOp("NonMaxSuppression", 10, importNonMaxSuppression);
  t.onOp("NonZero", 9, importNonZero);
}
