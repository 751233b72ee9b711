//===- RowCounts.cpp - Carry run-time row counts through the graph --------===//
//
// Part of qopt. See Importer::RowCount. Each rule says where the counted
// axis of an input lands in the outputs of an op that keeps rows apart; an
// op that would mix padding rows into real values (a reduction over the
// counted axis, a reshape that merges it, Shape, ...) is an error that
// names the op and where the run-time size came from.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringSet.h"

#include <optional>

using namespace mlir;
using namespace qopt::onnx_import;

namespace {

/// Ops that compute each output element from the elements at the same
/// (broadcast) position of their inputs.
const llvm::StringSet<> &elementwiseOps() {
  static const llvm::StringSet<> ops = {"Abs",
                                        "Neg",
                                        "Exp",
                                        "Log",
                                        "Sqrt",
                                        "Reciprocal",
                                        "Pow",
                                        "Erf",
                                        "Tanh",
                                        "Sigmoid",
                                        "HardSigmoid",
                                        "HardSwish",
                                        "Relu",
                                        "LeakyRelu",
                                        "PRelu",
                                        "Elu",
                                        "Selu",
                                        "Celu",
                                        "Softplus",
                                        "Softsign",
                                        "ThresholdedRelu",
                                        "Shrink",
                                        "Clip",
                                        "Floor",
                                        "Ceil",
                                        "Round",
                                        "Sign",
                                        "Sin",
                                        "Cos",
                                        "Tan",
                                        "Atan",
                                        "Asin",
                                        "Acos",
                                        "Sinh",
                                        "Cosh",
                                        "Asinh",
                                        "Acosh",
                                        "Atanh",
                                        "Add",
                                        "Sub",
                                        "Mul",
                                        "Div",
                                        "Mod",
                                        "Max",
                                        "Min",
                                        "Mean",
                                        "Sum",
                                        "Equal",
                                        "Greater",
                                        "GreaterOrEqual",
                                        "Less",
                                        "LessOrEqual",
                                        "Not",
                                        "And",
                                        "Or",
                                        "Xor",
                                        "Where",
                                        "IsNaN",
                                        "IsInf",
                                        "Cast",
                                        "CastLike",
                                        "Identity",
                                        "BitShift",
                                        "Gelu",
                                        "Mish"};
  return ops;
}

/// Ops along one `axis` attribute that keep the other axes apart.
const llvm::StringSet<> &alongAxisOps() {
  static const llvm::StringSet<> ops = {"Softmax", "LogSoftmax", "Hardmax",
                                        "CumSum",  "TopK",       "Split",
                                        "Concat",  "ArgMax",     "ArgMin"};
  return ops;
}

int64_t normalized(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// Every name a subgraph (and its subgraphs) reads.
void collectSubgraphInputs(const onnx::NodeProto &node,
                           llvm::StringSet<> &names) {
  for (const auto &attr : node.attribute()) {
    auto visit = [&](const onnx::GraphProto &g) {
      for (const auto &n : g.node()) {
        for (const auto &in : n.input())
          names.insert(in);
        collectSubgraphInputs(n, names);
      }
    };
    if (attr.has_g())
      visit(attr.g());
    for (const auto &g : attr.graphs())
      visit(g);
  }
}

} // namespace

LogicalResult Importer::setDataDependentOutput(const onnx::NodeProto &node,
                                               int i, int64_t axis,
                                               Value count) {
  if (subgraphDepth > 0)
    return unsupported(node, "an output whose size depends on the data "
                             "inside an If or Loop body");
  if (i < node.output_size() && !node.output(i).empty())
    setRowCount(
        node.output(i),
        {axis, count, node.name().empty() ? node.output(0) : node.name()});
  return success();
}

Value Importer::scalarI64(Location loc, Value oneElement) {
  auto type = cast<RankedTensorType>(oneElement.getType());
  SmallVector<Value> zeros(type.getRank(),
                           arith::ConstantIndexOp::create(builder, loc, 0));
  Value v = tensor::ExtractOp::create(builder, loc, oneElement, zeros);
  if (!v.getType().isInteger(64))
    v = arith::ExtSIOp::create(builder, loc, builder.getI64Type(), v);
  return v;
}

LogicalResult Importer::propagateRowCounts(const onnx::NodeProto &node) {
  // Inputs with a run-time row count: (input index, its count).
  SmallVector<std::pair<int, RowCount>> counted;
  for (auto [i, in] : llvm::enumerate(node.input()))
    if (const RowCount *r = getRowCount(in))
      counted.push_back({(int)i, *r});
  llvm::StringSet<> inner;
  collectSubgraphInputs(node, inner);
  for (const auto &name : inner.keys())
    if (const RowCount *r = getRowCount(name))
      return nodeError(node)
             << "reads '" << name << "' inside a subgraph; its size along "
             << "axis " << r->axis << " depends on the data (from '"
             << r->source << "'), which If/Loop bodies cannot take";
  if (counted.empty())
    return success();
  const RowCount &first = counted.front().second;
  auto refuse =
      [&](const Twine &why) {
        return nodeError(node)
               << "reads '" << node.input(counted.front().first)
               << "', whose size along axis " << first.axis
               << " depends on the data (from '" << first.source << "'), and "
               << why
               << "; qopt carries such sizes through ops that keep rows apart "
                  "(elementwise ops, Gather by those rows, Slice/Concat/Split/"
                  "reductions along other axes, Squeeze, Unsqueeze, Transpose, "
                  "Reshape keeping the axis)";
      };
  for (auto &[i, r] : counted)
    if (r.count != first.count)
      return refuse("combines it with a tensor of another run-time size");
  StringRef op = node.op_type();
  auto rankOf = [&](StringRef name) { return typeOf(name).getRank(); };
  auto setAll = [&](int64_t axis) {
    for (const auto &out : node.output())
      if (!out.empty())
        setRowCount(out, {axis, first.count, first.source});
    return success();
  };
  int64_t a = first.axis;
  int inputIndex = counted.front().first;

  if (elementwiseOps().contains(op)) {
    // Broadcasting aligns ranks to the right.
    int64_t outRank = rankOf(node.output(0));
    std::optional<int64_t> outAxis;
    for (auto &[i, r] : counted) {
      int64_t mapped = r.axis + outRank - rankOf(node.input(i));
      if (outAxis && *outAxis != mapped)
        return refuse("broadcasts it against itself along another axis");
      outAxis = mapped;
    }
    return setAll(*outAxis);
  }
  if (op == "Gather") {
    if (counted.size() != 1)
      return refuse("gathers by its own rows");
    int64_t dataRank = rankOf(node.input(0)), indexRank = rankOf(node.input(1));
    int64_t axis = normalized(getInt(node, "axis", 0), dataRank);
    if (inputIndex == 1) // indices: their rows become output rows
      return setAll(axis + a);
    if (a == axis)
      return refuse("gathers along that axis (indices could read padding)");
    return setAll(a < axis ? a : a + indexRank - 1);
  }
  if (op == "Slice") {
    if (inputIndex != 0)
      return refuse("uses it as slice bounds");
    int64_t rank = rankOf(node.input(0));
    std::optional<SmallVector<int64_t>> axes, starts, ends, steps;
    if (node.input_size() > 1) { // opset >= 10: inputs
      starts = getConstInts(node.input(1));
      ends = getConstInts(node.input(2));
      if (hasInput(node, 3))
        axes = getConstInts(node.input(3));
      if (hasInput(node, 4))
        steps = getConstInts(node.input(4));
    } else {
      starts = getInts(node, "starts");
      ends = getInts(node, "ends");
      axes = getInts(node, "axes");
    }
    if (!starts || !ends)
      return refuse("slices it with run-time bounds");
    int64_t extent = typeOf(node.input(0)).getDimSize(a);
    for (size_t k = 0; k < starts->size(); ++k) {
      int64_t ax = axes ? normalized((*axes)[k], rank) : (int64_t)k;
      if (ax != a)
        continue;
      int64_t step = steps ? (*steps)[k] : 1;
      if ((*starts)[k] != 0 || (*ends)[k] < extent || step != 1)
        return refuse("slices that axis");
    }
    return setAll(a);
  }
  if (op == "Squeeze" || op == "Unsqueeze") {
    if (inputIndex != 0)
      return refuse("uses it as axes");
    int64_t inRank = rankOf(node.input(0)), outRank = rankOf(node.output(0));
    std::optional<SmallVector<int64_t>> axes = getInts(node, "axes");
    if (!axes && hasInput(node, 1))
      axes = getConstInts(node.input(1));
    if (!axes)
      return refuse("squeezes every size-1 axis (the padded extent may be 1)");
    int64_t rank = op == "Squeeze" ? inRank : outRank;
    llvm::SmallDenseSet<int64_t> set;
    for (int64_t x : *axes)
      set.insert(normalized(x, rank));
    if (op == "Squeeze") {
      if (set.contains(a))
        return refuse("squeezes that axis");
      int64_t below = llvm::count_if(set, [&](int64_t x) { return x < a; });
      return setAll(a - below);
    }
    // Unsqueeze: input axes fill the output positions not inserted.
    for (int64_t o = 0, in = 0; o < outRank; ++o) {
      if (set.contains(o))
        continue;
      if (in++ == a)
        return setAll(o);
    }
    return refuse("cannot be unsqueezed as given");
  }
  if (op == "Transpose") {
    int64_t rank = rankOf(node.input(0));
    SmallVector<int64_t> perm;
    if (auto p = getInts(node, "perm"))
      perm = *p;
    else
      for (int64_t k = rank - 1; k >= 0; --k)
        perm.push_back(k);
    for (auto [o, p] : llvm::enumerate(perm))
      if (p == a)
        return setAll(o);
    return refuse("has a bad permutation");
  }
  if (op == "Reshape" || op == "Flatten") {
    if (inputIndex != 0)
      return refuse("uses it as a shape");
    RankedTensorType in = typeOf(node.input(0)), out = typeOf(node.output(0));
    // Rows survive a reshape that keeps the axis and everything before it.
    if (out.getRank() > a &&
        in.getShape().take_front(a + 1) == out.getShape().take_front(a + 1))
      return setAll(a);
    return refuse("reshapes across that axis");
  }
  if (alongAxisOps().contains(op)) {
    int64_t rank = rankOf(node.input(inputIndex));
    int64_t dflt = op == "Softmax" || op == "LogSoftmax" || op == "Hardmax"
                       ? (opset >= 13 ? -1 : 1)
                       : 0;
    if (op == "TopK")
      dflt = -1;
    int64_t axis = normalized(getInt(node, "axis", dflt), rank);
    if (op == "CumSum") {
      auto ax = hasInput(node, 1) ? getConstInts(node.input(1)) : std::nullopt;
      if (!ax || ax->size() != 1)
        return refuse("sums along a run-time axis");
      axis = normalized((*ax)[0], rank);
    }
    if (op == "Softmax" || op == "LogSoftmax" || op == "Hardmax")
      if (opset < 13 && a >= axis) // coerced to 2-D at `axis`
        return refuse("normalizes over that axis");
    if (axis == a)
      return refuse("works along that axis");
    bool keep = getInt(node, "keepdims", 1);
    if ((op == "ArgMax" || op == "ArgMin") && !keep && axis < a)
      return setAll(a - 1);
    return setAll(a);
  }
  if (op.starts_with("Reduce")) {
    int64_t rank = rankOf(node.input(0));
    std::optional<SmallVector<int64_t>> axes = getInts(node, "axes");
    if (!axes && hasInput(node, 1))
      axes = getConstInts(node.input(1));
    if (!axes || axes->empty())
      return refuse("reduces over every axis");
    int64_t below = 0;
    for (int64_t x : *axes) {
      x = normalized(x, rank);
      if (x == a)
        return refuse("reduces over that axis");
      below += x < a;
    }
    return setAll(getInt(node, "keepdims", 1) ? a : a - below);
  }
  if (op == "MatMul" || op == "Gemm") {
    int64_t rank = rankOf(node.input(inputIndex));
    bool rowsOfA = inputIndex == 0 && counted.size() == 1 &&
                   (op == "MatMul" ? a == rank - 2 || (rank > 2 && a < rank - 2)
                                   : a == (getInt(node, "transA", 0) ? 1 : 0));
    if (!rowsOfA)
      return refuse("contracts over it or uses it as the right operand");
    if (op == "Gemm")
      return setAll(0);
    return setAll(a + rankOf(node.output(0)) - rank);
  }
  return refuse("is not an op that keeps rows apart");
}
