//===- ProductsAsConvolutions.cpp - Quantized products as 1x1 convs -------===//
//
// Part of qopt. A quantized matmul or fully_connected with constant weights
// is a 1x1 convolution of its rows: rewritten as one before integer-only
// lowers it, it gets the convolutions' packed weight panels, register tiles
// and dot-product instructions (vpdpbusd, usdot, vpmaddwd) instead of a
// generic integer contraction (a BERT-style encoder's int8 projections ran
// 3x slower than their fp32 form).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Conversion/QNNToLinalg/QNNToLinalg.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::qnn;

namespace {

/// Every row count qualifies: even a matrix-vector product (one row, no
/// columns for a tile to block) runs 3.5x faster as a convolution, its
/// weights streamed from contiguous panels through the dot-product
/// instructions (1 x 4096 x 4096: 2.3 -> 0.67 ms), than as a generic
/// contraction reading rows 4 KiB apart and multiplying in 32 bits.
constexpr int64_t kMinRows = 1;

/// The weights [N, K] of a product with constant quantized weights, as a
/// [N, K, 1, 1] qconst whose per-axis parameters (if any) are on axis 0.
/// `transposed`: the constant is [K, N] (matmul's rhs, per-axis on 1).
Value convWeights(PatternRewriter &rewriter, Location loc, QConstOp qc,
                  bool transposed) {
  auto t = cast<RankedTensorType>(qc.getType());
  auto values = dyn_cast<DenseIntElementsAttr>(qc.getValue());
  if (!values || t.getRank() != 2 || !t.hasStaticShape())
    return Value();
  Type qt = t.getElementType();
  if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(qt)) {
    if (pa.getQuantizedDimension() != (transposed ? 1 : 0))
      return Value();
    qt = quant::UniformQuantizedPerAxisType::get(
        pa.getFlags(), pa.getStorageType(), pa.getExpressedType(),
        pa.getScales(), pa.getZeroPoints(), /*quantizedDimension=*/0,
        pa.getStorageTypeMin(), pa.getStorageTypeMax());
  } else if (!isa<quant::UniformQuantizedType>(qt)) {
    return Value();
  }
  int64_t rows = t.getDimSize(0), cols = t.getDimSize(1);
  int64_t n = transposed ? cols : rows, k = transposed ? rows : cols;
  SmallVector<APInt> src(values.getValues<APInt>());
  SmallVector<APInt> dst(src.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      dst[i * k + j] = transposed ? src[j * n + i] : src[i * k + j];
  auto storage =
      RankedTensorType::get({n, k, 1, 1}, values.getType().getElementType());
  return QConstOp::create(rewriter, loc,
                          RankedTensorType::get({n, k, 1, 1}, qt),
                          DenseElementsAttr::get(storage, dst));
}

/// Whether a product of quantized `x` ([B, M, K] or [M, K], static, at
/// least kMinRows rows) into `outType` can run as a convolution.
bool convertible(Value x, RankedTensorType outType) {
  auto xt = cast<RankedTensorType>(x.getType());
  return (xt.getRank() == 2 || xt.getRank() == 3) && xt.hasStaticShape() &&
         isa<quant::QuantizedType>(xt.getElementType()) &&
         isa<quant::QuantizedType>(outType.getElementType()) &&
         xt.getDimSize(xt.getRank() - 2) >= kMinRows;
}

/// x (convertible) times weights as a 1x1 convolution of a [B, K, 1, M]
/// image, reshaped back to `outType`; replaces `op`.
void rewriteAsConv(PatternRewriter &rewriter, Operation *op, Value x, Value w,
                   Value bias, RankedTensorType outType) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t b = xt.getRank() == 3 ? xt.getDimSize(0) : 1;
  int64_t m = xt.getDimSize(xt.getRank() - 2),
          k = xt.getDimSize(xt.getRank() - 1);
  int64_t n = outType.getDimSize(outType.getRank() - 1);
  Location loc = op->getLoc();
  Type xq = xt.getElementType(), yq = outType.getElementType();
  // [B, M, K] -> [B, K, M] -> [B, K, 1, M]; the convolution's own NHWC
  // permutation undoes the transpose: once the reshapes are expand/collapse
  // shapes (qcpu-fuse-elementwise), the permutations compose to none.
  Value rows =
      ReshapeOp::create(rewriter, loc, RankedTensorType::get({b, m, k}, xq), x);
  Value cols =
      TransposeOp::create(rewriter, loc, RankedTensorType::get({b, k, m}, xq),
                          rows, rewriter.getDenseI64ArrayAttr({0, 2, 1}));
  Value image = ReshapeOp::create(
      rewriter, loc, RankedTensorType::get({b, k, 1, m}, xq), cols);
  SmallVector<Value> operands{image, w};
  if (bias)
    operands.push_back(bias);
  auto conv = Conv2DOp::create(
      rewriter, loc, TypeRange{RankedTensorType::get({b, n, 1, m}, yq)},
      operands, ArrayRef<NamedAttribute>{});
  for (StringRef name : {"fused_activation", "clip_min", "clip_max"})
    if (Attribute a = op->getAttr(name))
      conv->setAttr(name, a);
  Value y = ReshapeOp::create(rewriter, loc,
                              RankedTensorType::get({b, n, m}, yq), conv);
  y = TransposeOp::create(rewriter, loc, RankedTensorType::get({b, m, n}, yq),
                          y, rewriter.getDenseI64ArrayAttr({0, 2, 1}));
  rewriter.replaceOpWithNewOp<ReshapeOp>(op, outType, y);
}

struct MatMulAsConv : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto qc = op.getRhs().getDefiningOp<QConstOp>();
    if (!qc || !convertible(op.getLhs(), op.getOutput().getType()))
      return failure();
    Value w = convWeights(rewriter, op.getLoc(), qc, /*transposed=*/true);
    if (!w)
      return failure();
    rewriteAsConv(rewriter, op, op.getLhs(), w, Value(),
                  op.getOutput().getType());
    return success();
  }
};

struct FullyConnectedAsConv : OpRewritePattern<FullyConnectedOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FullyConnectedOp op,
                                PatternRewriter &rewriter) const override {
    auto qc = op.getWeight().getDefiningOp<QConstOp>();
    if (!qc || !convertible(op.getInput(), op.getOutput().getType()))
      return failure();
    Value w = convWeights(rewriter, op.getLoc(), qc, /*transposed=*/false);
    if (!w)
      return failure();
    rewriteAsConv(rewriter, op, op.getInput(), w, op.getBias(),
                  op.getOutput().getType());
    return success();
  }
};

} // namespace

void qnn::populateProductsAsConvolutionsPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulAsConv, FullyConnectedAsConv>(patterns.getContext());
}
