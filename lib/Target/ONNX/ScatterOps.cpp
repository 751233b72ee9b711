//===- ScatterOps.cpp - ONNX ScatterND and ScatterElements -----------------===//
//
// Part of qopt. Scatters are sequential by definition (with duplicate
// indices, later updates win or accumulate), so they become an scf.for over
// the update elements that carries the output tensor: read the target, combine
// (none / add / mul / max / min), tensor.insert. Model indices are wrapped
// once if negative and clamped into bounds: an index never writes outside
// the tensor.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

namespace {

/// The multi-index of linear position `lin` in `shape`.
SmallVector<Value> delinearize(OpBuilder &b, Location l, Value lin,
                               ArrayRef<int64_t> shape) {
  SmallVector<Value> idx(shape.size());
  for (int64_t d = shape.size() - 1; d >= 0; --d) {
    Value s = arith::ConstantIndexOp::create(b, l, shape[d]);
    idx[d] = arith::RemUIOp::create(b, l, lin, s);
    lin = arith::DivUIOp::create(b, l, lin, s);
  }
  return idx;
}

FailureOr<std::string> reductionOf(Importer &im, const onnx::NodeProto &node) {
  std::string r = getString(node, "reduction", "none");
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return im.nodeError(node) << "invalid reduction '" << r << "'";
  return r;
}

Value combine(OpBuilder &b, Location l, StringRef r, Value old, Value upd,
              bool isUnsigned) {
  if (r == "add")
    return sc::add(b, l, old, upd);
  if (r == "mul")
    return sc::mul(b, l, old, upd);
  if (r == "max")
    return sc::max(b, l, old, upd, isUnsigned);
  if (r == "min")
    return sc::min(b, l, old, upd, isUnsigned);
  return upd;
}

/// Common checks; the data, indices and updates as signless tensors.
struct Operands {
  Value data, indices, updates;
  RankedTensorType dt, it, ut;
};

FailureOr<Operands> operandsOf(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 3, 3)))
    return failure();
  Location loc = im.nodeLoc(node);
  Operands o;
  o.dt = im.typeOf(node.input(0));
  o.it = im.typeOf(node.input(1));
  o.ut = im.typeOf(node.input(2));
  if (!o.dt.hasStaticShape() || !o.it.hasStaticShape() ||
      !o.ut.hasStaticShape())
    return im.unsupported(node, "dynamic shapes");
  if (!isa<IntegerType>(o.it.getElementType()))
    return im.nodeError(node) << "indices must be integers";
  if (o.dt.getElementType() != o.ut.getElementType())
    return im.nodeError(node) << "data and updates element types differ";
  o.data = im.toSignless(loc, im.get(node.input(0)));
  o.indices = im.get(node.input(1));
  o.updates = im.toSignless(loc, im.get(node.input(2)));
  return o;
}

/// The scatter loop shared by both ops: for each element of the updates (in
/// order), `target` gives its destination in the data; the element there is
/// combined with the update and written back.
LogicalResult scatterLoop(
    Importer &im, const onnx::NodeProto &node, const Operands &o,
    StringRef red,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ArrayRef<Value>)>
        target) {
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  bool isUnsigned = o.dt.getElementType().isUnsignedInteger();
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  Value n = arith::ConstantIndexOp::create(b, loc, o.ut.getNumElements());
  auto loop = scf::ForOp::create(
      b, loc, c0, n, c1, ValueRange{o.data},
      [&](OpBuilder &nb, Location l, Value i, ValueRange iter) {
        SmallVector<Value> uat = delinearize(nb, l, i, o.ut.getShape());
        SmallVector<Value> at = target(nb, l, uat);
        Value u = tensor::ExtractOp::create(nb, l, o.updates, uat);
        Value old = tensor::ExtractOp::create(nb, l, iter[0], at);
        Value v = combine(nb, l, red, old, u, isUnsigned);
        scf::YieldOp::create(
            nb, l, Value(tensor::InsertOp::create(nb, l, v, iter[0], at)));
      });
  im.set(node, im.fromSignless(loc, loop.getResult(0), o.dt.getElementType()));
  return success();
}

LogicalResult importScatterElements(Importer &im, const onnx::NodeProto &node) {
  auto o = operandsOf(im, node);
  auto red = reductionOf(im, node);
  if (failed(o) || failed(red))
    return failure();
  int64_t rank = o->dt.getRank(), axis = getInt(node, "axis", 0);
  if (axis < -rank || axis >= rank || o->it.getShape() != o->ut.getShape() ||
      o->it.getRank() != rank)
    return im.nodeError(node) << "invalid axis or shapes";
  if (axis < 0)
    axis += rank;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && o->it.getDimSize(d) > o->dt.getDimSize(d))
      return im.nodeError(node) << "indices larger than data along dim " << d;
  // Updates and indices share a shape: the index element at the update's
  // position replaces its coordinate along the axis.
  return scatterLoop(im, node, *o, *red,
                     [&](OpBuilder &nb, Location l, ArrayRef<Value> uat) {
                       SmallVector<Value> at(uat);
                       Value idx = tensor::ExtractOp::create(nb, l, o->indices,
                                                             uat);
                       at[axis] = sc::boundedIndex(nb, l, idx,
                                                   o->dt.getDimSize(axis));
                       return at;
                     });
}

/// MaxUnpool: zeros of the output shape (output_shape, a constant, or
/// (in - 1) * stride - pads + kernel per spatial axis), with each input
/// element written at its index (MaxPool's Indices: flat positions in the
/// whole output tensor), in order -- a scatter.
LogicalResult importMaxUnpool(Importer &im, const onnx::NodeProto &node) {
  if (failed(im.requireInputs(node, 2, 3)))
    return failure();
  Location loc = im.nodeLoc(node);
  OpBuilder &b = im.builder;
  Operands o;
  o.ut = im.typeOf(node.input(0));
  o.it = im.typeOf(node.input(1));
  if (!o.ut.hasStaticShape() || !o.it.hasStaticShape() || o.ut.getRank() < 3)
    return im.unsupported(node, "dynamic shapes or a rank below 3");
  if (!isa<IntegerType>(o.it.getElementType()) ||
      o.it.getShape() != o.ut.getShape())
    return im.nodeError(node) << "indices must be integers of X's shape";
  int64_t spatial = o.ut.getRank() - 2;
  // The indices are flat positions in the inferred shape; a larger
  // output_shape adds padding after it (ONNX's reference does the same).
  auto kernel = getInts(node, "kernel_shape");
  SmallVector<int64_t> strides =
      getInts(node, "strides").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads =
      getInts(node, "pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (!kernel || (int64_t)kernel->size() != spatial ||
      (int64_t)strides.size() != spatial || (int64_t)pads.size() != 2 * spatial)
    return im.nodeError(node)
           << "kernel_shape, strides and pads must have " << spatial << ", "
           << spatial << " and " << 2 * spatial << " entries";
  SmallVector<int64_t> inferred = {o.ut.getDimSize(0), o.ut.getDimSize(1)};
  for (int64_t d = 0; d < spatial; ++d)
    inferred.push_back((o.ut.getDimSize(d + 2) - 1) * strides[d] -
                       (pads[d] + pads[d + spatial]) + (*kernel)[d]);
  SmallVector<int64_t> shape = inferred;
  if (im.hasInput(node, 2)) {
    auto given = im.getConstInts(node.input(2));
    if (!given)
      return im.unsupported(node, "an output_shape computed at run time");
    shape.assign(given->begin(), given->end());
  }
  if ((int64_t)shape.size() != o.ut.getRank() ||
      llvm::any_of(shape, [](int64_t d) { return d <= 0; }) ||
      llvm::any_of(inferred, [](int64_t d) { return d <= 0; }))
    return im.nodeError(node) << "invalid output shape";
  for (int64_t d = 0; d < o.ut.getRank(); ++d)
    if (shape[d] < inferred[d])
      return im.nodeError(node) << "output_shape is smaller than the "
                                   "unpooled shape along axis "
                                << d;
  auto count = qopt::checkedNumElements(shape);
  if (!count || *count > kMaxFoldElements * 64)
    return im.unsupported(node, "an output of more than 2^26 elements");
  Type et = im.typeOf(node.input(0)).getElementType();
  o.dt = RankedTensorType::get(shape, et);
  o.updates = im.toSignless(loc, im.get(node.input(0)));
  o.indices = im.get(node.input(1));
  Type st = cast<RankedTensorType>(o.updates.getType()).getElementType();
  Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(st));
  o.data =
      linalg::FillOp::create(
          b, loc, zero, tensor::EmptyOp::create(b, loc, shape, st).getResult())
          .getResult(0);
  int64_t total = *qopt::checkedNumElements(inferred);
  return scatterLoop(
      im, node, o, "none", [&](OpBuilder &nb, Location l, ArrayRef<Value> uat) {
        Value idx = tensor::ExtractOp::create(nb, l, o.indices, uat);
        return delinearize(nb, l, sc::boundedIndex(nb, l, idx, total),
                           inferred);
      });
}

LogicalResult importScatterND(Importer &im, const onnx::NodeProto &node) {
  auto o = operandsOf(im, node);
  auto red = reductionOf(im, node);
  if (failed(o) || failed(red))
    return failure();
  int64_t q = o->it.getRank(), r = o->dt.getRank();
  int64_t k = q ? o->it.getDimSize(q - 1) : 0;
  if (q < 1 || k < 1 || k > r)
    return im.nodeError(node) << "invalid indices shape " << o->it;
  SmallVector<int64_t> expect(o->it.getShape().drop_back());
  expect.append(o->dt.getShape().begin() + k, o->dt.getShape().end());
  if (o->ut.getShape() != ArrayRef<int64_t>(expect))
    return im.nodeError(node) << "updates shape " << o->ut
                              << " does not match indices and data";
  // The first k coordinates come from the index vector at the update's
  // leading position, the rest from the update's trailing position.
  return scatterLoop(im, node, *o, *red,
                     [&](OpBuilder &nb, Location l, ArrayRef<Value> uat) {
                       SmallVector<Value> at;
                       for (int64_t j = 0; j < k; ++j) {
                         SmallVector<Value> iat(uat.begin(),
                                                uat.begin() + (q - 1));
                         iat.push_back(arith::ConstantIndexOp::create(nb, l, j));
                         Value idx =
                             tensor::ExtractOp::create(nb, l, o->indices, iat);
                         at.push_back(sc::boundedIndex(nb, l, idx,
                                                       o->dt.getDimSize(j)));
                       }
                       at.append(uat.begin() + (q - 1), uat.end());
                       return at;
                     });
}

} // namespace

void qopt::onnx_import::registerScatterHandlers(HandlerTable &t) {
  t.onOp("ScatterElements", 11, importScatterElements);
  t.onOp("Scatter", 9, importScatterElements); // deprecated alias
  t.onOp("ScatterND", 11, importScatterND);
  t.onOp("MaxUnpool", 9, importMaxUnpool);
}
