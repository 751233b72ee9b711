//===- ShapeOrigin.cpp - Where a dynamic dimension comes from -------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/ShapeOrigin.h"

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::qnn;

/// Follows dynamic dimension `d` of `v` back through ops whose result
/// dimension is, by their semantics, that of an operand: same-shape and
/// broadcasting elementwise ops (qnn ops with the shape traits, the
/// importer's linalg.generics), transposes, the batch of convolutions,
/// pools and products. Two dimensions with the same origin are equal at
/// run time.
std::pair<Value, int64_t> qnn::dimensionOrigin(Value v, int64_t d) {
  for (int steps = 0; steps < 10000; ++steps) {
    Operation *op = v.getDefiningOp();
    if (!op)
      break;
    auto dynDimOf = [&](Value x, int64_t i) {
      auto t = dyn_cast<RankedTensorType>(x.getType());
      return t && i >= 0 && i < t.getRank() && t.isDynamicDim(i);
    };
    Value next;
    int64_t nd = d;
    if (auto t = dyn_cast<TransposeOp>(op)) {
      next = t.getInput();
      nd = t.getPerm()[d];
    } else if (auto ln = dyn_cast<LayerNormOp>(op)) {
      next = ln.getInput(); // the input's shape
    } else if (auto dq = dyn_cast<DynamicQuantizeOp>(op)) {
      // The quantized values have the input's shape (the scale is 0-d).
      if (v == dq.getOutput())
        next = dq.getInput();
    } else if (op->hasTrait<::mlir::OpTrait::SameOperandsAndResultShape>() ||
               op->hasTrait<::mlir::OpTrait::SameOperandsAndResultType>() ||
               op->hasTrait<::mlir::OpTrait::ResultsBroadcastableShape>() ||
               isa<tensor::CastOp>(op)) {
      auto rt = cast<RankedTensorType>(v.getType());
      for (Value o : op->getOperands()) {
        auto ot = dyn_cast<RankedTensorType>(o.getType());
        int64_t od = ot ? d - (rt.getRank() - ot.getRank()) : -1;
        if (ot && dynDimOf(o, od)) {
          next = o;
          nd = od;
          break;
        }
      }
    } else if (isa<Conv2DOp, MaxPool2DOp, AvgPool2DOp, GlobalAvgPool2DOp,
                   BatchNormOp, PadOp>(op)) {
      if (d == 0 && op->getNumOperands())
        next = op->getOperand(0);
    } else if (isa<FullyConnectedOp, MatMulOp>(op)) {
      if (d < cast<RankedTensorType>(v.getType()).getRank() - 1)
        next = op->getOperand(0);
    } else if (auto g = dyn_cast<linalg::GenericOp>(op)) {
      // A parallel loop of the result read from an input at a known spot.
      auto res = cast<OpResult>(v);
      AffineMap outMap = g.getIndexingMapMatchingResult(res);
      auto loop = dyn_cast<AffineDimExpr>(outMap.getResult(d));
      if (loop && g.getIteratorTypesArray()[loop.getPosition()] ==
                      utils::IteratorType::parallel)
        for (OpOperand *in : g.getDpsInputOperands()) {
          AffineMap m = g.getMatchingIndexingMap(in);
          for (unsigned i = 0; i < m.getNumResults(); ++i)
            if (m.getResult(i) == loop && dynDimOf(in->get(), i)) {
              next = in->get();
              nd = i;
            }
          if (next)
            break;
        }
    }
    // Destination-style ops (linalg.fill, linalg.generic, insert_slice):
    // the result has its init's shape.
    if (!next)
      if (auto dps = dyn_cast<DestinationStyleOpInterface>(op)) {
        auto res = cast<OpResult>(v);
        if (res.getResultNumber() < (unsigned)dps.getNumDpsInits()) {
          next = dps.getDpsInitOperand(res.getResultNumber())->get();
          nd = d;
        }
      }
    // tensor.empty sized by a tensor.dim: that dimension.
    if (!next)
      if (auto empty = dyn_cast<tensor::EmptyOp>(op))
        if (Value size = empty.getDynamicSize(d))
          if (auto dim = size.getDefiningOp<tensor::DimOp>())
            if (auto idx = dim.getConstantIndex()) {
              next = dim.getSource();
              nd = *idx;
            }
    // extract_slice whose size in that dimension is a tensor.dim.
    if (!next)
      if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
        llvm::SmallBitVector dropped = slice.getDroppedDims();
        int64_t srcDim = -1;
        for (int64_t i = 0, r = 0; i < (int64_t)dropped.size(); ++i) {
          if (dropped[i])
            continue;
          if (r++ == d) {
            srcDim = i;
            break;
          }
        }
        if (srcDim >= 0)
          if (auto size = dyn_cast<Value>(slice.getMixedSizes()[srcDim]))
            if (auto dim = size.getDefiningOp<tensor::DimOp>())
              if (auto idx = dim.getConstantIndex()) {
                next = dim.getSource();
                nd = *idx;
              }
      }
    // A reshape between shapes with one dynamic dimension each and equal
    // static parts maps one onto the other.
    if (!next && isa<ReshapeOp, FlattenOp, tensor::ExpandShapeOp,
                     tensor::CollapseShapeOp, tensor::ReshapeOp>(op)) {
      auto in = cast<RankedTensorType>(op->getOperand(0).getType());
      auto out = cast<RankedTensorType>(v.getType());
      auto staticPart = [](RankedTensorType t, int64_t &dyn) {
        int64_t p = 1;
        dyn = -1;
        for (int64_t i = 0; i < t.getRank(); ++i) {
          if (t.isDynamicDim(i)) {
            if (dyn >= 0)
              return int64_t(-1);
            dyn = i;
          } else {
            p *= t.getDimSize(i);
          }
        }
        return p;
      };
      int64_t inDyn, outDyn;
      int64_t pin = staticPart(in, inDyn), pout = staticPart(out, outDyn);
      if (pin >= 0 && pin == pout && inDyn >= 0 && outDyn == d) {
        next = op->getOperand(0);
        nd = inDyn;
      }
    }
    // Concatenation keeps the other dimensions.
    if (!next)
      if (auto cat = dyn_cast<ConcatOp>(op))
        if (d != (int64_t)cat.getAxis()) {
          next = cat->getOperand(0);
          nd = d;
        }
    // A loop-carried tensor whose size the body keeps: its initial value's.
    if (!next)
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        unsigned k = cast<OpResult>(v).getResultNumber();
        Value yielded = loop.getBody()->getTerminator()->getOperand(k);
        auto o = dimensionOrigin(yielded, d);
        if (o == std::make_pair(Value(loop.getRegionIterArgs()[k]), d)) {
          next = loop.getInitArgs()[k];
          nd = d;
        } else if (!loop->isAncestor(o.first.getParentRegion()->getParentOp()) &&
                   dimensionOrigin(loop.getInitArgs()[k], d) == o) {
          // Every iteration yields a size fixed outside the loop, which the
          // initial value has too.
          next = o.first;
          nd = o.second;
        }
      }
    if (!next || !dynDimOf(next, nd))
      break;
    v = next;
    d = nd;
  }
  return {v, d};
}

