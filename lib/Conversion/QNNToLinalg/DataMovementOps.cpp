//===- DataMovementOps.cpp - Lower qnn data movement to tensor and linalg
//---===//
//
// Part of qopt. reshape, flatten, transpose, concat and pad (for float and
// integer storage tensors alike).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"
#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"
#include "qopt/Dialect/QNN/Utils/FixedPoint.h"
#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <cstdint>
#include <limits>

using namespace mlir;
using namespace mlir::qnn;
using namespace mlir::qnn::lowering;

namespace {

template <typename OpTy> struct ReshapeLikeLowering : QNNPattern<OpTy> {
  using QNNPattern<OpTy>::QNNPattern;
  using Adaptor = typename OpTy::Adaptor;
  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, op.getLoc(), adaptor.getInput(),
                                     op.getOutput().getType()));
    return success();
  }
};

struct TransposeLowering : QNNPattern<TransposeOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    // The identity (and a rank-0 tensor's empty permutation, which
    // linalg.transpose cannot express) moves nothing.
    if (llvm::equal(op.getPerm(),
                    llvm::seq<int64_t>(0, (int64_t)op.getPerm().size()))) {
      rewriter.replaceOp(op, x);
      return success();
    }
    auto outType = op.getOutput().getType();
    SmallVector<Value> inDims = dimValues(rewriter, loc, x), outDims;
    for (int64_t p : op.getPerm())
      outDims.push_back(inDims[p]);
    Value init = emptyTensor(rewriter, loc, outType, outDims);
    Value y = linalg::TransposeOp::create(rewriter, loc, x, init, op.getPerm())
                  .getResult()[0];
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct ConcatLowering : QNNPattern<ConcatOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto outType = op.getOutput().getType();
    int64_t rank = outType.getRank(), axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    ValueRange inputs = adaptor.getInputs();
    SmallVector<Value> dims = dimValues(rewriter, loc, inputs[0]);
    Value total = arith::ConstantIndexOp::create(rewriter, loc, 0);
    for (Value in : inputs)
      total = arith::AddIOp::create(rewriter, loc, total,
                                    dimValues(rewriter, loc, in)[axis]);
    dims[axis] = total;
    Value result = emptyTensor(rewriter, loc, outType, dims);
    OpFoldResult offset = rewriter.getIndexAttr(0);
    for (Value in : inputs) {
      SmallVector<OpFoldResult> sizes =
          tensor::getMixedSizes(rewriter, loc, in);
      SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
      offsets[axis] = offset;
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(rewriter, loc, in, result, offsets,
                                             sizes, strides);
      auto a = getConstantIntValue(offset),
           b = getConstantIntValue(sizes[axis]);
      if (a && b)
        offset = rewriter.getIndexAttr(*a + *b);
      else
        offset =
            arith::AddIOp::create(
                rewriter, loc,
                getValueOrCreateConstantIndexOp(rewriter, loc, offset),
                getValueOrCreateConstantIndexOp(rewriter, loc, sizes[axis]))
                .getResult();
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PadLowering : QNNPattern<PadOp> {
  using QNNPattern::QNNPattern;
  LogicalResult
  matchAndRewrite(PadOp op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isa<quant::QuantizedType>(op.getInput().getType().getElementType()))
      return rewriter.notifyMatchFailure(op, "quantized form is lowered by "
                                             "--integer-only first");
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto inType = op.getInput().getType();
    auto outType = op.getOutput().getType();
    int64_t rank = inType.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    if (op.getMode() == PadMode::Constant) {
      SmallVector<OpFoldResult> low, high;
      for (int64_t d = 0; d < rank; ++d) {
        low.push_back(rewriter.getIndexAttr(pads[d]));
        high.push_back(rewriter.getIndexAttr(pads[d + rank]));
      }
      Type et = inType.getElementType();
      double value = op.getValue().convertToDouble();
      Value v = isa<FloatType>(et)
                    ? floatConst(rewriter, loc, et, value)
                    : Value(arith::ConstantOp::create(
                          rewriter, loc, et,
                          rewriter.getIntegerAttr(et, (int64_t)value)));
      rewriter.replaceOp(
          op, tensor::PadOp::create(rewriter, loc, outType, x, low, high, v));
      return success();
    }
    // reflect / edge: out[i] = x[src(i)], src computed per dimension. A
    // dynamic dimension (the batch) is read from the input.
    bool reflect = op.getMode() == PadMode::Reflect;
    SmallVector<Value> sizes(rank), outDyn;
    for (int64_t d = 0; d < rank; ++d) {
      if (!inType.isDynamicDim(d))
        continue;
      sizes[d] = tensor::DimOp::create(rewriter, loc, x, d);
      int64_t added = pads[d] + pads[d + rank];
      outDyn.push_back(
          added == 0
              ? sizes[d]
              : Value(arith::AddIOp::create(
                    rewriter, loc, sizes[d],
                    arith::ConstantIndexOp::create(rewriter, loc, added))));
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, outType.getShape(),
                                         outType.getElementType(), outDyn);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outType}, ValueRange{}, ValueRange{init},
            SmallVector<AffineMap>{rewriter.getMultiDimIdentityMap(rank)},
            iters,
            [&](OpBuilder &b, Location l, ValueRange) {
              SmallVector<Value> idx;
              for (int64_t d = 0; d < rank; ++d) {
                Value i = linalg::IndexOp::create(b, l, d);
                Value c0 = arith::ConstantIndexOp::create(b, l, 0);
                Value c1 = arith::ConstantIndexOp::create(b, l, 1);
                Value last =
                    sizes[d] ? Value(arith::SubIOp::create(b, l, sizes[d], c1))
                             : Value(arith::ConstantIndexOp::create(
                                   b, l, inType.getDimSize(d) - 1));
                Value s = arith::SubIOp::create(
                    b, l, i, arith::ConstantIndexOp::create(b, l, pads[d]));
                if (reflect) {
                  // |s| then mirror past the end: last - |last - |s||.
                  Value neg = arith::SubIOp::create(b, l, c0, s);
                  Value a = arith::MaxSIOp::create(b, l, s, neg);
                  Value t = arith::SubIOp::create(b, l, last, a);
                  Value tn = arith::SubIOp::create(b, l, c0, t);
                  Value at = arith::MaxSIOp::create(b, l, t, tn);
                  s = arith::SubIOp::create(b, l, last, at);
                  // The verifier bounds static pads by the size; a dynamic
                  // dimension shorter than its pads must not read outside.
                  if (sizes[d]) {
                    s = arith::MaxSIOp::create(b, l, s, c0);
                    s = arith::MinSIOp::create(b, l, s, last);
                  }
                } else {
                  s = arith::MaxSIOp::create(b, l, s, c0);
                  s = arith::MinSIOp::create(b, l, s, last);
                }
                idx.push_back(s);
              }
              Value v = tensor::ExtractOp::create(b, l, x, idx);
              linalg::YieldOp::create(b, l, v);
            })
            .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void lowering::populateDataMovementLoweringPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReshapeLikeLowering<ReshapeOp>, ReshapeLikeLowering<FlattenOp>,
               TransposeLowering, ConcatLowering, PadLowering>(
      converter, patterns.getContext());
}
