//===- IntegerDotMatMul.cpp - Products of two quantized activations
//--------===//
//
// Part of qopt. A quantized matmul whose operands are both 8-bit values
// known only at run time (attention's Q.K^T and P.V) in the dot-product
// layout, the run-time counterpart of the constant-weight panels of
// IntegerConv.cpp:
//
//   sum_k (a - za)(b - zb) = sum_k a' b' - zb' * sum_k a' - za' * sum_k b'
//                            + K za' zb'
//
// with a' the left operand as unsigned bytes (signed values + 128) and b'
// the right one as signed bytes (unsigned values - 128), zero points moved
// alike. The right operand is packed at run time into [B, T, C, 16, 4]
// (16-lane output tiles, groups of four reduction steps), so that a register
// tile reads 64 contiguous bytes per group; the row and column sums are
// small reductions that join the accumulator's initial value. Before, the
// product was one generic multiply-accumulate over (a - za)(b - zb) that the
// CPU back end vectorized along N with widening multiplies (28 GOP/s on a
// BERT-style encoder's attention, a fifth of the constant-weight products).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::qnn;
using namespace mlir::qnn::lowering;
using utils::IteratorType;

namespace {

/// `v` [d0, d1, d2] padded with zeros to [d0, p1, p2].
Value padTo(OpBuilder &b, Location loc, Value v, int64_t p1, int64_t p2) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getDimSize(1) == p1 && t.getDimSize(2) == p2)
    return v;
  SmallVector<OpFoldResult> low(3, b.getIndexAttr(0));
  SmallVector<OpFoldResult> high = {b.getIndexAttr(0),
                                    b.getIndexAttr(p1 - t.getDimSize(1)),
                                    b.getIndexAttr(p2 - t.getDimSize(2))};
  Type et = t.getElementType();
  return tensor::PadOp::create(
      b, loc, RankedTensorType::get({t.getDimSize(0), p1, p2}, et), v, low,
      high, intConst(b, loc, et, 0));
}

/// Sums over dimension `dim` (1 or 2) of the byte tensor `v` [B, X, Y]
/// (unsigned or signed values), as i32 [B, other].
Value sumBytes(OpBuilder &b, Location loc, Value v, int64_t dim,
               bool isUnsigned) {
  MLIRContext *ctx = b.getContext();
  auto t = cast<RankedTensorType>(v.getType());
  Type i32 = b.getI32Type();
  int64_t other = dim == 1 ? 2 : 1;
  auto outType =
      RankedTensorType::get({t.getDimSize(0), t.getDimSize(other)}, i32);
  Value init =
      fill(b, loc, tensor::EmptyOp::create(b, loc, outType.getShape(), i32), 0);
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  // (batch, kept, summed) -> the operand's order.
  AffineMap in = dim == 2 ? AffineMap::get(3, 0, {d0, d1, d2}, ctx)
                          : AffineMap::get(3, 0, {d0, d2, d1}, ctx);
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{v}, ValueRange{init},
             SmallVector<AffineMap>{in, AffineMap::get(3, 0, {d0, d1}, ctx)},
             SmallVector<IteratorType>{IteratorType::parallel,
                                       IteratorType::parallel,
                                       IteratorType::reduction},
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Type i32 = nb.getI32Type();
               Value x = isUnsigned
                             ? Value(arith::ExtUIOp::create(nb, l, i32, a[0]))
                             : Value(arith::ExtSIOp::create(nb, l, i32, a[0]));
               linalg::YieldOp::create(
                   nb, l, Value(arith::AddIOp::create(nb, l, a[1], x)));
             })
      .getResult(0);
}

} // namespace

Value lowering::lowerDotMatMul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                               RankedTensorType outType, const QParams &ap,
                               const QParams &bp) {
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  if (ap.width != 8 || bp.width != 8 || !ap.perTensor() || !bp.perTensor() ||
      !lt.hasStaticShape() || !rt.hasStaticShape() || lt.getRank() < 3 ||
      lt.getRank() != rt.getRank() ||
      lt.getShape().drop_back(2) != rt.getShape().drop_back(2))
    return Value();
  MLIRContext *ctx = b.getContext();
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  const int64_t lanes = 16, group = 4;
  int64_t rank = lt.getRank();
  int64_t batch = 1;
  for (int64_t d : lt.getShape().drop_back(2))
    batch *= d;
  int64_t m = lt.getDimSize(rank - 2), k = lt.getDimSize(rank - 1),
          n = rt.getDimSize(rank - 1);
  int64_t c = (k + group - 1) / group, kp = c * group;
  int64_t t = (n + lanes - 1) / lanes, np = t * lanes;

  // [..., X, Y] -> [B, X, Y].
  auto flat = [&](Value v, RankedTensorType vt) -> Value {
    ReassociationIndices lead;
    for (int64_t i = 0; i + 2 < rank; ++i)
      lead.push_back(i);
    SmallVector<ReassociationIndices> re = {lead, {rank - 2}, {rank - 1}};
    return tensor::CollapseShapeOp::create(
        b, loc,
        RankedTensorType::get(
            {batch, vt.getDimSize(rank - 2), vt.getDimSize(rank - 1)}, i8),
        v, re);
  };
  // Bytes flipped by the sign bit where the operand has the other
  // signedness than its role (a' unsigned, b' signed); padding becomes 0.
  bool flipA = ap.isSigned, flipB = !bp.isSigned;
  int64_t za = ap.zps[0] + (flipA ? 128 : 0);
  int64_t zb = bp.zps[0] - (flipB ? 128 : 0);
  auto flipped = [&](Value v, bool flip) -> Value {
    if (!flip)
      return v;
    auto vt = cast<RankedTensorType>(v.getType());
    return elementwise(b, loc, vt, ValueRange{v}, v,
                       [](OpBuilder &nb, Location l, ValueRange a) -> Value {
                         return arith::XOrIOp::create(
                             nb, l, a[0],
                             intConst(nb, l, nb.getI8Type(), 0x80));
                       });
  };
  // Flipped first, then padded with zeros (of the flipped values): a zero
  // pad adds nothing to the products or the sums.
  Value a = padTo(b, loc, flipped(flat(lhs, lt), flipA), m, kp);
  Value bv = padTo(b, loc, flipped(flat(rhs, rt), flipB), kp, np);

  // b' [B, Kp, Np] -> [B, C, 4, T, 16] -> packed [B, T, C, 16, 4].
  Value b5 = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({batch, c, group, t, lanes}, i8), bv,
      SmallVector<ReassociationIndices>{{0}, {1, 2}, {3, 4}});
  Value packed = createPermutation(b, loc, b5, {0, 3, 1, 4, 2});
  Value a4 = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({batch, m, c, group}, i8), a,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});

  // Initial value: -zb' * rowsum(a') - za' * colsum(b') + K za' zb'.
  auto accType = RankedTensorType::get({batch, m, t, lanes}, i32);
  AffineExpr e0, e1, e2, e3;
  bindDims(ctx, e0, e1, e2, e3);
  SmallVector<Value> initInputs;
  SmallVector<AffineMap> initMaps;
  if (zb != 0) {
    initInputs.push_back(sumBytes(b, loc, a, 2, /*isUnsigned=*/true)); // [B, M]
    initMaps.push_back(AffineMap::get(4, 0, {e0, e1}, ctx));
  }
  if (za != 0) {
    Value cols = sumBytes(b, loc, bv, 1, /*isUnsigned=*/false); // [B, Np]
    cols = tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({batch, t, lanes}, i32), cols,
        SmallVector<ReassociationIndices>{{0}, {1, 2}});
    initInputs.push_back(cols);
    initMaps.push_back(AffineMap::get(4, 0, {e0, e2, e3}, ctx));
  }
  initMaps.push_back(b.getMultiDimIdentityMap(4));
  int64_t constant = k * za * zb;
  bool rows = zb != 0, cols = za != 0;
  Value init =
      linalg::GenericOp::create(
          b, loc, TypeRange{accType}, initInputs,
          ValueRange{tensor::EmptyOp::create(b, loc, accType.getShape(), i32)},
          initMaps, SmallVector<IteratorType>(4, IteratorType::parallel),
          [&](OpBuilder &nb, Location l, ValueRange v) {
            Value r = intConst(nb, l, i32, constant);
            int64_t i = 0;
            if (rows)
              r = arith::SubIOp::create(
                  nb, l, r,
                  arith::MulIOp::create(nb, l, v[i++],
                                        intConst(nb, l, i32, zb)));
            if (cols)
              r = arith::SubIOp::create(
                  nb, l, r,
                  arith::MulIOp::create(nb, l, v[i++],
                                        intConst(nb, l, i32, za)));
            linalg::YieldOp::create(nb, l, r);
          })
          .getResult(0);

  // acc[b, m, t, i] += a'[b, m, c, j] * b'[b, t, c, i, j] over (c, j).
  AffineExpr d0, d1, d2, d3, d4, d5;
  bindDims(ctx, d0, d1, d2, d3, d4, d5);
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0, {d0, d1, d4, d5}, ctx),
      AffineMap::get(6, 0, {d0, d2, d4, d3, d5}, ctx),
      AffineMap::get(6, 0, {d0, d1, d2, d3}, ctx)};
  SmallVector<IteratorType> iters(4, IteratorType::parallel);
  iters.append(2, IteratorType::reduction);
  Value acc = linalg::GenericOp::create(
                  b, loc, TypeRange{accType}, ValueRange{a4, packed},
                  ValueRange{init}, maps, iters,
                  [&](OpBuilder &nb, Location l, ValueRange v) {
                    Value x = arith::ExtUIOp::create(nb, l, i32, v[0]);
                    Value w = arith::ExtSIOp::create(nb, l, i32, v[1]);
                    linalg::YieldOp::create(
                        nb, l,
                        Value(arith::AddIOp::create(
                            nb, l, v[2], arith::MulIOp::create(nb, l, x, w))));
                  })
                  .getResult(0);

  // [B, M, T, 16] -> [B, M, Np] -> [B, M, N] -> the output's shape.
  Value y = tensor::CollapseShapeOp::create(
      b, loc, RankedTensorType::get({batch, m, np}, i32), acc,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  if (np != n)
    y = tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({batch, m, n}, i32), y,
        SmallVector<OpFoldResult>(3, b.getIndexAttr(0)),
        SmallVector<OpFoldResult>{b.getIndexAttr(batch), b.getIndexAttr(m),
                                  b.getIndexAttr(n)},
        SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
  ReassociationIndices lead;
  for (int64_t i = 0; i + 2 < rank; ++i)
    lead.push_back(i);
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(outType.getShape(), i32), y,
      SmallVector<ReassociationIndices>{lead, {rank - 2}, {rank - 1}});
}
