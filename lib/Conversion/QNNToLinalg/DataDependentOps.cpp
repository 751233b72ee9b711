//===- DataDependentOps.cpp - Lower ops with run-time result sizes --------===//
//
// Part of qopt. Ops whose result size depends on the data return a padded
// static tensor and a count (see qnn.non_max_suppression); they are
// sequential by nature, so they lower to scf loops on tensors.
//
// non_zero: one pass over the elements in row-major order, writing each
// non-zero element's coordinates into the next column.
//
// non_max_suppression: a greedy selection whose every step
// depends on the previous ones, so loops (scf.for on tensors) rather than
// linalg. Per (batch, class) it repeatedly takes the unvisited candidate
// with the highest score -- the order of ONNX Runtime's priority queue,
// ties to the lower box index -- and keeps it unless a box kept before it
// overlaps it by more than the IoU threshold, computed with ONNX Runtime's
// formula and float operations in the same order (outputs are compared
// with ORT's exactly). O(boxes^2) per class: detection heads keep a few
// thousand candidates.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::qnn;
using namespace mlir::qnn::lowering;

namespace {

/// std::max / std::min of two floats as C++ computes them (NaN-free data
/// gives maximumf's results; the select keeps the exact operand).
Value cmax(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::SelectOp::create(
      b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, y), y,
      x);
}
Value cmin(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::SelectOp::create(
      b, loc, arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, y, x), y,
      x);
}

/// The extent [min, max] of one box along one axis.
struct Extent {
  Value min, max;
};

/// Corners (center_point_box 0): MaxMin(lhs, rhs) of ONNX Runtime.
Extent fromCorners(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  Value ge = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, lhs, rhs);
  return {arith::SelectOp::create(b, loc, ge, rhs, lhs),
          arith::SelectOp::create(b, loc, ge, lhs, rhs)};
}
/// Centers (center_point_box 1): center -/+ size / 2.
Extent fromCenter(OpBuilder &b, Location loc, Value center, Value size) {
  Value two = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(2.0f));
  Value half = arith::DivFOp::create(b, loc, size, two);
  return {arith::SubFOp::create(b, loc, center, half),
          arith::AddFOp::create(b, loc, center, half)};
}

struct NonMaxSuppressionLowering : QNNPattern<NonMaxSuppressionOp> {
  using QNNPattern::QNNPattern;

  LogicalResult
  matchAndRewrite(NonMaxSuppressionOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto boxesType = op.getBoxes().getType();
    auto scoresType = op.getScores().getType();
    int64_t batches = boxesType.getDimSize(0), n = boxesType.getDimSize(1),
            classes = scoresType.getDimSize(1);
    int64_t rows = op.getSelected().getType().getDimSize(0);
    bool centers = op.getCenterPointBox() == 1;
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();

    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    Type i64 = b.getI64Type(), i1 = b.getI1Type();
    auto scalar = [&](Value t, Value dflt) -> Value {
      if (!t)
        return dflt;
      auto type = cast<RankedTensorType>(t.getType());
      SmallVector<Value> zeros(type.getRank(), index(0));
      return tensor::ExtractOp::create(b, loc, t, zeros);
    };
    // max_output_boxes_per_class: absent means 0 (no output); negative
    // counts as 0, as in ONNX Runtime.
    Value zero64 = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
    Value maxPerClass = arith::MaxSIOp::create(
        b, loc, scalar(adaptor.getMaxOutputBoxesPerClass(), zero64), zero64);
    Value maxPerClassIdx =
        arith::IndexCastOp::create(b, loc, b.getIndexType(), maxPerClass);
    Value iouThreshold =
        scalar(adaptor.getIouThreshold(),
               arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f)));
    Value scoreThreshold =
        scalar(adaptor.getScoreThreshold(),
               arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f)));
    Value hasScoreThreshold = arith::ConstantOp::create(
        b, loc, b.getBoolAttr(static_cast<bool>(adaptor.getScoreThreshold())));
    Value trueV = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
    Value falseV = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
    Value zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));

    Value selected0 =
        linalg::FillOp::create(b, loc, zero64,
                               Value(tensor::EmptyOp::create(
                                   b, loc, ArrayRef<int64_t>{rows, 3}, i64)))
            .result();
    Value visited0 =
        linalg::FillOp::create(
            b, loc, falseV,
            Value(tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{n}, i1)))
            .result();
    // The boxes kept for the current class, by index (first `kept` valid).
    Value keptInit =
        tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{n}, b.getIndexType());

    // One box's [xmin, xmax] and [ymin, ymax].
    auto extents = [&](OpBuilder &nb, Location l, Value batch,
                       Value box) -> std::pair<Extent, Extent> {
      Value c[4];
      for (int k = 0; k < 4; ++k)
        c[k] = tensor::ExtractOp::create(
            nb, l, boxes,
            ValueRange{batch, box, arith::ConstantIndexOp::create(nb, l, k)});
      if (centers)
        return {fromCenter(nb, l, c[0], c[2]), fromCenter(nb, l, c[1], c[3])};
      return {fromCorners(nb, l, c[1], c[3]), fromCorners(nb, l, c[0], c[2])};
    };
    // ONNX Runtime's SuppressByIOU(kept, candidate): true when the IoU is
    // above the threshold; empty intersections and empty boxes never
    // suppress.
    auto suppresses = [&](OpBuilder &nb, Location l, Value batch, Value kept,
                          Value candidate) -> Value {
      auto [x1, y1] = extents(nb, l, batch, kept);
      auto [x2, y2] = extents(nb, l, batch, candidate);
      Value ixMin = cmax(nb, l, x1.min, x2.min);
      Value ixMax = cmin(nb, l, x1.max, x2.max);
      Value iyMin = cmax(nb, l, y1.min, y2.min);
      Value iyMax = cmin(nb, l, y1.max, y2.max);
      auto gt = [&](Value a, Value c) -> Value {
        return arith::CmpFOp::create(nb, l, arith::CmpFPredicate::OGT, a, c);
      };
      auto sub = [&](Value a, Value c) -> Value {
        return arith::SubFOp::create(nb, l, a, c);
      };
      auto mul = [&](Value a, Value c) -> Value {
        return arith::MulFOp::create(nb, l, a, c);
      };
      Value intersection = mul(sub(ixMax, ixMin), sub(iyMax, iyMin));
      Value area1 = mul(sub(x1.max, x1.min), sub(y1.max, y1.min));
      Value area2 = mul(sub(x2.max, x2.min), sub(y2.max, y2.min));
      Value unionArea =
          sub(arith::AddFOp::create(nb, l, area1, area2), intersection);
      Value iou = arith::DivFOp::create(nb, l, intersection, unionArea);
      Value ok =
          arith::AndIOp::create(nb, l, gt(ixMax, ixMin), gt(iyMax, iyMin));
      ok = arith::AndIOp::create(nb, l, ok, gt(intersection, zeroF));
      ok = arith::AndIOp::create(nb, l, ok, gt(area1, zeroF));
      ok = arith::AndIOp::create(nb, l, ok, gt(area2, zeroF));
      ok = arith::AndIOp::create(nb, l, ok, gt(unionArea, zeroF));
      return arith::AndIOp::create(nb, l, ok, gt(iou, iouThreshold));
    };

    // for (b, c): for step < n: pick, test, keep.
    auto outer = scf::ForOp::create(
        b, loc, index(0), index(batches * classes), index(1),
        ValueRange{selected0, index(0)},
        [&](OpBuilder &ob, Location l, Value bc, ValueRange outerArgs) {
          Value cls = arith::RemUIOp::create(ob, l, bc, index(classes));
          Value batch = arith::DivUIOp::create(ob, l, bc, index(classes));
          auto steps = scf::ForOp::create(
              ob, l, index(0), index(n), index(1),
              ValueRange{outerArgs[0], outerArgs[1], visited0, keptInit,
                         index(0), falseV},
              [&](OpBuilder &sb, Location sl, Value, ValueRange a) {
                Value selected = a[0], count = a[1], visited = a[2],
                      kept = a[3], keptCount = a[4], done = a[5];
                auto ifDone = scf::IfOp::create(
                    sb, sl, done,
                    [&](OpBuilder &tb, Location tl) {
                      scf::YieldOp::create(tb, tl, a);
                    },
                    [&](OpBuilder &eb, Location el) {
                      // The best unvisited candidate.
                      Value negInf = arith::ConstantOp::create(
                          eb, el,
                          eb.getF32FloatAttr(
                              -std::numeric_limits<float>::infinity()));
                      auto scan = scf::ForOp::create(
                          eb, el, index(0), index(n), index(1),
                          ValueRange{index(0), negInf, falseV},
                          [&](OpBuilder &jb, Location jl, Value j,
                              ValueRange s) {
                            Value score = tensor::ExtractOp::create(
                                jb, jl, scores, ValueRange{batch, cls, j});
                            Value seen = tensor::ExtractOp::create(
                                jb, jl, visited, ValueRange{j});
                            Value above = arith::CmpFOp::create(
                                jb, jl, arith::CmpFPredicate::OGT, score,
                                scoreThreshold);
                            Value passes = arith::OrIOp::create(
                                jb, jl,
                                arith::XOrIOp::create(jb, jl, hasScoreThreshold,
                                                      trueV),
                                above);
                            Value candidate = arith::AndIOp::create(
                                jb, jl, passes,
                                arith::XOrIOp::create(jb, jl, seen, trueV));
                            // Strictly higher: ties keep the lower index.
                            Value higher = arith::CmpFOp::create(
                                jb, jl, arith::CmpFPredicate::OGT, score, s[1]);
                            Value better = arith::AndIOp::create(
                                jb, jl, candidate,
                                arith::OrIOp::create(
                                    jb, jl,
                                    arith::XOrIOp::create(jb, jl, s[2], trueV),
                                    higher));
                            scf::YieldOp::create(
                                jb, jl,
                                ValueRange{arith::SelectOp::create(
                                               jb, jl, better, j, s[0]),
                                           arith::SelectOp::create(
                                               jb, jl, better, score, s[1]),
                                           arith::OrIOp::create(jb, jl, s[2],
                                                                candidate)});
                          });
                      Value best = scan.getResult(0);
                      Value found = scan.getResult(2);
                      auto ifFound = scf::IfOp::create(
                          eb, el, found,
                          [&](OpBuilder &fb, Location fl) {
                            Value visited2 = tensor::InsertOp::create(
                                fb, fl, trueV, visited, ValueRange{best});
                            auto check = scf::ForOp::create(
                                fb, fl, index(0), keptCount, index(1),
                                ValueRange{falseV},
                                [&](OpBuilder &kb, Location kl, Value k,
                                    ValueRange f) {
                                  Value other = tensor::ExtractOp::create(
                                      kb, kl, kept, ValueRange{k});
                                  scf::YieldOp::create(
                                      kb, kl,
                                      ValueRange{arith::OrIOp::create(
                                          kb, kl, f[0],
                                          suppresses(kb, kl, batch, other,
                                                     best))});
                                });
                            Value suppressed = check.getResult(0);
                            Value full = arith::CmpIOp::create(
                                fb, fl, arith::CmpIPredicate::uge, keptCount,
                                maxPerClassIdx);
                            Value noRoom = arith::CmpIOp::create(
                                fb, fl, arith::CmpIPredicate::uge, count,
                                index(rows));
                            // A kept box past the limit ends the class.
                            Value stop = arith::AndIOp::create(
                                fb, fl,
                                arith::XOrIOp::create(fb, fl, suppressed,
                                                      trueV),
                                arith::OrIOp::create(fb, fl, full, noRoom));
                            Value keep = arith::AndIOp::create(
                                fb, fl,
                                arith::XOrIOp::create(fb, fl, suppressed,
                                                      trueV),
                                arith::XOrIOp::create(fb, fl, stop, trueV));
                            auto ifKeep = scf::IfOp::create(
                                fb, fl, keep,
                                [&](OpBuilder &pb, Location pl) {
                                  Value row[3] = {arith::IndexCastOp::create(
                                                      pb, pl, i64, batch),
                                                  arith::IndexCastOp::create(
                                                      pb, pl, i64, cls),
                                                  arith::IndexCastOp::create(
                                                      pb, pl, i64, best)};
                                  Value sel = selected;
                                  for (int col = 0; col < 3; ++col)
                                    sel = tensor::InsertOp::create(
                                        pb, pl, row[col], sel,
                                        ValueRange{
                                            count,
                                            arith::ConstantIndexOp::create(
                                                pb, pl, col)});
                                  Value kept2 = tensor::InsertOp::create(
                                      pb, pl, best, kept,
                                      ValueRange{keptCount});
                                  Value one =
                                      arith::ConstantIndexOp::create(pb, pl, 1);
                                  scf::YieldOp::create(
                                      pb, pl,
                                      ValueRange{sel,
                                                 arith::AddIOp::create(
                                                     pb, pl, count, one),
                                                 kept2,
                                                 arith::AddIOp::create(
                                                     pb, pl, keptCount, one)});
                                },
                                [&](OpBuilder &pb, Location pl) {
                                  scf::YieldOp::create(pb, pl,
                                                       ValueRange{selected,
                                                                  count, kept,
                                                                  keptCount});
                                });
                            scf::YieldOp::create(
                                fb, fl,
                                ValueRange{ifKeep.getResult(0),
                                           ifKeep.getResult(1), visited2,
                                           ifKeep.getResult(2),
                                           ifKeep.getResult(3), stop});
                          },
                          [&](OpBuilder &fb, Location fl) {
                            scf::YieldOp::create(fb, fl,
                                                 ValueRange{selected, count,
                                                            visited, kept,
                                                            keptCount, trueV});
                          });
                      scf::YieldOp::create(eb, el, ifFound.getResults());
                    });
                scf::YieldOp::create(sb, sl, ifDone.getResults());
              });
          scf::YieldOp::create(
              ob, l, ValueRange{steps.getResult(0), steps.getResult(1)});
        });
    Value count = arith::IndexCastOp::create(b, loc, i64, outer.getResult(1));
    Value countTensor = tensor::FromElementsOp::create(
        b, loc, RankedTensorType::get({}, i64), ValueRange{count});
    rewriter.replaceOp(op, ValueRange{outer.getResult(0), countTensor});
    return success();
  }
};

struct NonZeroLowering : QNNPattern<NonZeroOp> {
  using QNNPattern::QNNPattern;

  LogicalResult
  matchAndRewrite(NonZeroOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    RankedTensorType in = op.getInput().getType();
    ArrayRef<int64_t> shape = in.getShape();
    int64_t rank = in.getRank(), total = in.getNumElements();
    Type i64 = b.getI64Type(), et = in.getElementType();
    auto index = [&](OpBuilder &ib, Location l, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(ib, l, v);
    };
    Value zero64 = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0));
    Value init = linalg::FillOp::create(
                     b, loc, zero64,
                     Value(tensor::EmptyOp::create(
                         b, loc, op.getIndices().getType().getShape(), i64)))
                     .result();
    Value x = adaptor.getInput();
    auto loop = scf::ForOp::create(
        b, loc, index(b, loc, 0), index(b, loc, total), index(b, loc, 1),
        ValueRange{init, index(b, loc, 0)},
        [&](OpBuilder &lb, Location l, Value flat, ValueRange a) {
          // Row-major coordinates of `flat`.
          SmallVector<Value> coords(rank);
          Value rest = flat;
          for (int64_t d = rank - 1; d >= 0; --d) {
            Value size = index(lb, l, shape[d]);
            coords[d] = arith::RemUIOp::create(lb, l, rest, size);
            rest = arith::DivUIOp::create(lb, l, rest, size);
          }
          Value v = tensor::ExtractOp::create(lb, l, x, coords);
          Value nonZero;
          if (isa<FloatType>(et))
            nonZero = arith::CmpFOp::create(
                lb, l, arith::CmpFPredicate::UNE, v,
                arith::ConstantOp::create(lb, l, lb.getFloatAttr(et, 0.0)));
          else
            nonZero = arith::CmpIOp::create(
                lb, l, arith::CmpIPredicate::ne, v,
                arith::ConstantOp::create(lb, l, lb.getIntegerAttr(et, 0)));
          auto write = scf::IfOp::create(
              lb, l, nonZero,
              [&](OpBuilder &tb, Location tl) {
                Value out = a[0];
                for (int64_t d = 0; d < rank; ++d)
                  out = tensor::InsertOp::create(
                      tb, tl,
                      arith::IndexCastOp::create(tb, tl, i64, coords[d]), out,
                      ValueRange{index(tb, tl, d), a[1]});
                scf::YieldOp::create(
                    tb, tl,
                    ValueRange{out, arith::AddIOp::create(tb, tl, a[1],
                                                          index(tb, tl, 1))});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, a);
              });
          scf::YieldOp::create(lb, l, write.getResults());
        });
    Value count = arith::IndexCastOp::create(b, loc, i64, loop.getResult(1));
    rewriter.replaceOp(op,
                       ValueRange{loop.getResult(0),
                                  tensor::FromElementsOp::create(
                                      b, loc, RankedTensorType::get({}, i64),
                                      ValueRange{count})});
    return success();
  }
};

} // namespace

void lowering::populateDataDependentLoweringPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<NonMaxSuppressionLowering, NonZeroLowering>(
      converter, patterns.getContext());
}
