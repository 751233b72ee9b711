//===- RecurrentOps.cpp - ONNX LSTM, GRU and RNN --------------------------===//
//
// Part of qopt. A recurrent layer becomes, per direction:
//   - one qnn.matmul of the whole input sequence with the input weights
//     (plus the biases): the time-independent half of the work, as one
//     large product;
//   - an scf.for over time steps carrying the hidden (and cell) state and the
//     output sequence as tensors; each step is a qnn.matmul of the state with
//     the recurrent weights and one linalg.generic for the gate arithmetic.
// Forward, reverse and bidirectional layers, initial states, sequence_lens
// (a batch entry's state stops changing and its outputs are zero past its
// length), LSTM peepholes, clip, input_forget, GRU linear_before_reset and
// batch-first layout (opset 14) are supported. Weights must be constants.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "ScalarMath.h"

#include "qopt/Dialect/QNN/IR/QNN.h"
#include "qopt/Dialect/QNN/Utils/ConstantUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::qnn;
using namespace qopt::onnx_import;
namespace sc = qopt::onnx_import::scalar;

namespace {

enum class Kind { LSTM, GRU, RNN };

struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

Value applyActivation(OpBuilder &b, Location l, const Activation &a, Value x) {
  Type t = x.getType();
  if (a.name == "Sigmoid") {
    Value one = sc::constant(b, l, t, 1.0);
    Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
    return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
  }
  if (a.name == "Tanh")
    return math::TanhOp::create(b, l, x);
  if (a.name == "Relu")
    return arith::MaximumFOp::create(b, l, x, sc::constant(b, l, t, 0.0));
  if (a.name == "HardSigmoid") {
    Value v = arith::AddFOp::create(
        b, l, arith::MulFOp::create(b, l, x, sc::constant(b, l, t, a.alpha)),
        sc::constant(b, l, t, a.beta));
    v = arith::MaximumFOp::create(b, l, v, sc::constant(b, l, t, 0.0));
    return arith::MinimumFOp::create(b, l, v, sc::constant(b, l, t, 1.0));
  }
  if (a.name == "LeakyRelu") {
    Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x,
                                      sc::constant(b, l, t, 0.0));
    return arith::SelectOp::create(
        b, l, neg,
        arith::MulFOp::create(b, l, x, sc::constant(b, l, t, a.alpha)), x);
  }
  // ScaledTanh, Affine, ThresholdedRelu, Elu, Softsign, Softplus are checked
  // out at import.
  return x;
}

struct Layer {
  Importer &im;
  const onnx::NodeProto &node;
  Kind kind;
  Location loc;
  Type et;
  int64_t hidden = 0, gates = 0, dirs = 1, inputSize = 0;
  bool reverseOnly = false, lbr = false, inputForget = false;
  std::optional<float> clip;
  SmallVector<Activation> acts; // per direction: kind's count
  Value x;                      // [S, B, I]
  Value seqLens;                // [B] i32, or null

  OpBuilder &b() { return im.builder; }

  Value constant(ArrayRef<int64_t> shape, ArrayRef<double> v, StringRef hint) {
    auto t = RankedTensorType::get(shape, et);
    return arith::ConstantOp::create(
        b(), NameLoc::get(StringAttr::get(im.ctx, hint)),
        cast<TypedAttr>(createFloatElements(t, v, hint)));
  }

  /// Rows [r0, r0 + n) of direction d of a [dirs, rows, cols] constant,
  /// transposed to [cols, n].
  Value transposedRows(ArrayRef<double> w, int64_t rows, int64_t cols,
                       int64_t d, int64_t r0, int64_t n, StringRef hint) {
    SmallVector<double> out(cols * n);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < cols; ++c)
        out[c * n + r] = w[(d * rows + r0 + r) * cols + c];
    return constant({cols, n}, out, hint);
  }

  Value zeros(ArrayRef<int64_t> shape, ValueRange dyn) {
    return linalg::FillOp::create(
               b(), loc, sc::constant(b(), loc, et, 0.0),
               Value(tensor::EmptyOp::create(b(), loc, shape, et, dyn)))
        .result();
  }

  Value dim(Value v, int64_t i) {
    return tensor::DimOp::create(b(), loc, v, i);
  }

  /// A [B, n] slice of columns [c0, c0 + n) of a [B, cols] tensor.
  Value columns(Value v, int64_t c0, int64_t n) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<OpFoldResult> offs{b().getIndexAttr(0), b().getIndexAttr(c0)};
    SmallVector<OpFoldResult> szs{
        t.isDynamicDim(0) ? OpFoldResult(dim(v, 0))
                          : OpFoldResult(b().getIndexAttr(t.getDimSize(0))),
        b().getIndexAttr(n)};
    SmallVector<OpFoldResult> strs{b().getIndexAttr(1), b().getIndexAttr(1)};
    return tensor::ExtractSliceOp::create(
        b(), loc, RankedTensorType::get({t.getDimSize(0), n}, et), v, offs, szs,
        strs);
  }

  Value matmul(Value a, Value w) {
    auto at = cast<RankedTensorType>(a.getType());
    auto wt = cast<RankedTensorType>(w.getType());
    SmallVector<int64_t> shape(at.getShape().drop_back());
    shape.push_back(wt.getDimSize(1));
    return MatMulOp::create(b(), loc, RankedTensorType::get(shape, et), a, w);
  }

  Value addBias(Value a, Value bias) {
    return AddOp::create(b(), loc, a.getType(), a, bias);
  }

  /// One linalg.generic over [B, H]: `ins` are [B, H] tensors (and the
  /// [B] sequence lengths, mapped by batch), `nOut` [B, H] results.
  SmallVector<Value>
  cell(ValueRange ins, unsigned nOut, Value like,
       function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
           body) {
    auto t = cast<RankedTensorType>(like.getType());
    SmallVector<Value> dyn;
    if (t.isDynamicDim(0))
      dyn.push_back(dim(like, 0));
    SmallVector<Value> outs;
    SmallVector<Type> types;
    for (unsigned i = 0; i < nOut; ++i) {
      outs.push_back(tensor::EmptyOp::create(b(), loc, t.getShape(), et, dyn));
      types.push_back(t);
    }
    SmallVector<AffineMap> maps;
    for (Value v : ins)
      maps.push_back(cast<RankedTensorType>(v.getType()).getRank() == 1
                         ? AffineMap::get(2, 0, b().getAffineDimExpr(0),
                                          im.ctx)
                         : b().getMultiDimIdentityMap(2));
    for (unsigned i = 0; i < nOut; ++i)
      maps.push_back(b().getMultiDimIdentityMap(2));
    auto g = linalg::GenericOp::create(
        b(), loc, types, ins, outs, maps,
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location l, ValueRange args) {
          linalg::YieldOp::create(nb, l,
                                  body(nb, l, args.take_front(ins.size())));
        });
    return SmallVector<Value>(g.getResults());
  }

  Value clipped(OpBuilder &nb, Location l, Value v) {
    if (!clip)
      return v;
    v = arith::MaximumFOp::create(nb, l, v, sc::constant(nb, l, et, -*clip));
    return arith::MinimumFOp::create(nb, l, v, sc::constant(nb, l, et, *clip));
  }

  LogicalResult run();
};

LogicalResult Layer::run() {
  int64_t nActs = kind == Kind::LSTM ? 3 : kind == Kind::GRU ? 2 : 1;
  gates = kind == Kind::LSTM ? 4 : kind == Kind::GRU ? 3 : 1;
  std::string direction = getString(node, "direction", "forward");
  if (direction == "bidirectional")
    dirs = 2;
  else if (direction == "reverse")
    reverseOnly = true;
  else if (direction != "forward")
    return im.nodeError(node) << "invalid direction '" << direction << "'";
  hidden = getInt(node, "hidden_size", 0);
  // Bounded before any size is computed from it (the weights' shapes are
  // checked against it below).
  if (hidden <= 0 || hidden > qnn::kMaxWindowExtent)
    return im.nodeError(node) << "hidden_size " << hidden << " is not in [1, "
                              << qnn::kMaxWindowExtent << "]";
  lbr = getInt(node, "linear_before_reset", 0);
  inputForget = getInt(node, "input_forget", 0);
  if (const auto *a = findAttr(node, "clip"))
    clip = a->f();
  // Activations.
  SmallVector<std::string> names;
  if (const auto *a = findAttr(node, "activations"))
    for (const auto &s : a->strings())
      names.push_back(s);
  const char *defaults[] = {"Sigmoid", "Tanh", "Tanh"};
  if (names.empty())
    for (int64_t d = 0; d < dirs; ++d)
      for (int64_t i = 0; i < nActs; ++i)
        names.push_back(kind == Kind::RNN ? "Tanh" : defaults[i]);
  if ((int64_t)names.size() != nActs * dirs)
    return im.nodeError(node) << "expects " << nActs * dirs
                              << " activations, got " << names.size();
  auto alphas = findAttr(node, "activation_alpha");
  auto betas = findAttr(node, "activation_beta");
  for (auto [i, n] : llvm::enumerate(names)) {
    if (n != "Sigmoid" && n != "Tanh" && n != "Relu" && n != "HardSigmoid" &&
        n != "LeakyRelu")
      return im.unsupported(node, "activation '" + n + "'");
    Activation a{n};
    a.alpha = n == "HardSigmoid" ? 0.2f : 0.01f;
    a.beta = 0.5f;
    if (alphas && (int)i < alphas->floats_size())
      a.alpha = alphas->floats(i);
    if (betas && (int)i < betas->floats_size())
      a.beta = betas->floats(i);
    acts.push_back(a);
  }

  RankedTensorType xt = im.typeOf(node.input(0));
  et = xt.getElementType();
  if (!isa<FloatType>(et) || xt.getRank() != 3)
    return im.nodeError(node) << "expects a 3-D float input, got " << xt;
  bool batchFirst = getInt(node, "layout", 0);
  x = im.get(node.input(0));
  if (batchFirst)
    x = im.transpose(loc, x, {1, 0, 2});
  xt = cast<RankedTensorType>(x.getType());
  inputSize = xt.getDimSize(2);
  auto w = im.getConstFloats(node.input(1)), r = im.getConstFloats(node.input(2));
  if (!w || !r)
    return im.unsupported(node, "weights that are not constants (" +
                                    node.input(w ? 2 : 1) + ")");
  if (inputSize == kDyn ||
      im.typeOf(node.input(1)).getShape() !=
          ArrayRef<int64_t>{dirs, gates * hidden, inputSize} ||
      im.typeOf(node.input(2)).getShape() !=
          ArrayRef<int64_t>{dirs, gates * hidden, hidden} ||
      hidden <= 0)
    return im.nodeError(node) << "W, R or hidden_size do not match the input "
                              << xt << " and direction";
  SmallVector<double> bias(dirs * 2 * gates * hidden, 0.0);
  if (im.hasInput(node, 3)) {
    auto bv = im.getConstFloats(node.input(3));
    if (!bv || (int64_t)bv->size() != (int64_t)bias.size())
      return im.unsupported(node, "a bias that is not a constant of shape "
                                  "[directions, 2 * gates * hidden]");
    bias = *bv;
  }
  if (im.hasInput(node, 4)) {
    seqLens = im.get(node.input(4));
    if (!isa<IntegerType>(im.typeOf(node.input(4)).getElementType()) ||
        im.typeOf(node.input(4)).getRank() != 1)
      return im.nodeError(node) << "sequence_lens must be a 1-D integer tensor";
  }
  std::optional<SmallVector<double>> peep;
  if (kind == Kind::LSTM && im.hasInput(node, 7)) {
    peep = im.getConstFloats(node.input(7));
    if (!peep || (int64_t)peep->size() != dirs * 3 * hidden)
      return im.unsupported(node, "peepholes that are not a constant of shape "
                                  "[directions, 3 * hidden]");
  }
  auto initial = [&](int idx) -> FailureOr<Value> {
    if (!im.hasInput(node, idx))
      return Value();
    Value v = im.get(node.input(idx));
    if (batchFirst)
      v = im.transpose(loc, v, {1, 0, 2});
    return v;
  };
  auto h0all = initial(5);
  auto c0all = kind == Kind::LSTM ? initial(6) : FailureOr<Value>(Value());
  if (failed(h0all) || failed(c0all))
    return failure();

  // Initial states are [directions, batch, hidden]. One of the input and a
  // state may know the batch statically where the other does not (a state
  // input fixed by --input-shape beside a dynamic-batch input): both take
  // the static size.
  int64_t stateBatch = kDyn;
  for (auto [idx, state] : {std::pair(5, h0all), std::pair(6, c0all)}) {
    if (!*state)
      continue;
    auto st = cast<RankedTensorType>((*state).getType());
    int64_t sb = st.getRank() == 3 ? st.getDimSize(1) : kDyn;
    if (st.getRank() != 3 ||
        (st.getDimSize(0) != kDyn && st.getDimSize(0) != dirs) ||
        (st.getDimSize(2) != kDyn && st.getDimSize(2) != hidden) ||
        (sb != kDyn && xt.getDimSize(1) != kDyn && sb != xt.getDimSize(1)) ||
        (sb != kDyn && stateBatch != kDyn && sb != stateBatch))
      return im.nodeError(node)
             << (idx == 5 ? "initial_h " : "initial_c ") << st
             << " does not match [directions " << dirs << ", batch "
             << (xt.isDynamicDim(1) ? std::string("?")
                                    : std::to_string(xt.getDimSize(1)))
             << ", hidden " << hidden << "]";
    if (sb != kDyn)
      stateBatch = sb;
  }
  if (xt.isDynamicDim(1) && stateBatch != kDyn) {
    xt = RankedTensorType::get({xt.getDimSize(0), stateBatch, inputSize},
                               xt.getElementType());
    x = tensor::CastOp::create(b(), loc, xt, x);
  }
  auto staticState = [&](Value v) -> Value {
    if (!v)
      return v;
    auto want = RankedTensorType::get({dirs, xt.getDimSize(1), hidden}, et);
    return v.getType() == want ? v : tensor::CastOp::create(b(), loc, want, v);
  };
  *h0all = staticState(*h0all);
  *c0all = staticState(*c0all);

  int64_t S = xt.getDimSize(0), B = xt.getDimSize(1), H = hidden;
  SmallVector<Value> bDyn;
  if (B == kDyn)
    bDyn.push_back(dim(x, 1));
  Value steps = dim(x, 0);
  Value c0idx = arith::ConstantIndexOp::create(b(), loc, 0);
  Value c1idx = arith::ConstantIndexOp::create(b(), loc, 1);
  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = reverseOnly || d == 1;
    std::string tag = node.name() + (d ? "_reverse" : "");
    // The input projection of every step at once, with both biases that
    // are plain additions.
    SmallVector<double> xb(gates * H);
    for (int64_t i = 0; i < gates * H; ++i) {
      xb[i] = bias[d * 2 * gates * H + i];
      bool keepRb = kind == Kind::GRU && i >= 2 * H; // r * (h R + Rb)
      if (!keepRb)
        xb[i] += bias[d * 2 * gates * H + gates * H + i];
    }
    Value wT = transposedRows(*w, gates * H, inputSize, d, 0, gates * H,
                              tag + "_W");
    Value xp = addBias(matmul(x, wT), constant({gates * H}, xb, tag + "_B"));
    Value rT, rZR, rHT, rbh;
    if (kind == Kind::GRU) {
      rZR = transposedRows(*r, gates * H, H, d, 0, 2 * H, tag + "_Rzr");
      rHT = transposedRows(*r, gates * H, H, d, 2 * H, H, tag + "_Rh");
      SmallVector<double> rb(H);
      for (int64_t i = 0; i < H; ++i)
        rb[i] = bias[d * 2 * gates * H + gates * H + 2 * H + i];
      rbh = constant({H}, rb, tag + "_Rbh");
    } else {
      rT = transposedRows(*r, gates * H, H, d, 0, gates * H, tag + "_R");
    }
    SmallVector<Value> pv;
    if (peep)
      for (int64_t k = 0; k < 3; ++k) {
        SmallVector<double> p(H);
        for (int64_t i = 0; i < H; ++i)
          p[i] = (*peep)[(d * 3 + k) * H + i];
        pv.push_back(constant({H}, p, tag + "_P"));
      }
    auto stateOf = [&](Value all) -> Value {
      if (!all)
        return zeros({B, H}, bDyn);
      auto t = cast<RankedTensorType>(all.getType());
      SmallVector<OpFoldResult> offs{b().getIndexAttr(d), b().getIndexAttr(0),
                                     b().getIndexAttr(0)};
      SmallVector<OpFoldResult> szs{
          b().getIndexAttr(1),
          t.isDynamicDim(1) ? OpFoldResult(dim(all, 1))
                            : OpFoldResult(b().getIndexAttr(t.getDimSize(1))),
          b().getIndexAttr(H)};
      SmallVector<OpFoldResult> strs(3, b().getIndexAttr(1));
      return tensor::ExtractSliceOp::create(
          b(), loc, RankedTensorType::get({B, H}, et), all, offs, szs, strs);
    };
    Value h0 = stateOf(*h0all);
    Value c0 = kind == Kind::LSTM ? stateOf(*c0all) : Value();
    SmallVector<Value> yDyn;
    if (S == kDyn)
      yDyn.push_back(steps);
    yDyn.append(bDyn);
    Value y0 = zeros({S, B, H}, yDyn);
    SmallVector<Value> inits{h0, y0};
    if (c0)
      inits.push_back(c0);
    auto loop = scf::ForOp::create(
        b(), loc, c0idx, steps, c1idx, inits,
        [&](OpBuilder &, Location, Value t, ValueRange iter) {
          Value h = iter[0], y = iter[1], c = c0 ? iter[2] : Value();
          Value tt = t;
          if (reverse)
            tt = arith::SubIOp::create(
                b(), loc, arith::SubIOp::create(b(), loc, steps, c1idx), t);
          // Step input [B, gates * H].
          auto xpt = cast<RankedTensorType>(xp.getType());
          SmallVector<OpFoldResult> offs{OpFoldResult(tt), b().getIndexAttr(0),
                                         b().getIndexAttr(0)};
          SmallVector<OpFoldResult> szs{
              b().getIndexAttr(1),
              B == kDyn ? OpFoldResult(dim(xp, 1))
                        : OpFoldResult(b().getIndexAttr(B)),
              b().getIndexAttr(xpt.getDimSize(2))};
          SmallVector<OpFoldResult> strs(3, b().getIndexAttr(1));
          Value xt_ = tensor::ExtractSliceOp::create(
              b(), loc, RankedTensorType::get({B, gates * H}, et), xp, offs,
              szs, strs);
          // Whether step tt is inside each sequence (sequence_lens).
          Value ttI64 =
              arith::IndexCastOp::create(b(), loc, b().getI64Type(), tt);
          auto active = [&](OpBuilder &nb, Location l, Value len) {
            Value n = sc::convert(nb, l, len, nb.getI64Type(), false, false);
            return (Value)arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt,
                                                ttI64, n);
          };
          SmallVector<Value> extra;
          if (seqLens)
            extra.push_back(seqLens);
          Value hNew, cNew, yNew;
          const Activation *fa = &acts[d * nActs];
          if (kind == Kind::LSTM) {
            Value g = AddOp::create(b(), loc, xt_.getType(), xt_,
                                    matmul(h, rT));
            SmallVector<Value> ins{columns(g, 0, H), columns(g, H, H),
                                   columns(g, 2 * H, H), columns(g, 3 * H, H),
                                   c, h};
            ins.append(extra);
            auto res = cell(ins, 3, h, [&](OpBuilder &nb, Location l,
                                           ValueRange a) {
              Value cPrev = a[4], hPrev = a[5];
              Value gi = a[0], go = a[1], gf = a[2], gc = a[3];
              if (peep) {
                // Peepholes are [H] constants: read them per column.
                Value j = linalg::IndexOp::create(nb, l, 1);
                auto pk = [&](int k) {
                  return (Value)tensor::ExtractOp::create(nb, l, pv[k], j);
                };
                gi = arith::AddFOp::create(
                    nb, l, gi, arith::MulFOp::create(nb, l, pk(0), cPrev));
                gf = arith::AddFOp::create(
                    nb, l, gf, arith::MulFOp::create(nb, l, pk(2), cPrev));
              }
              Value i = applyActivation(nb, l, fa[0], clipped(nb, l, gi));
              Value f =
                  inputForget
                      ? (Value)arith::SubFOp::create(
                            nb, l, sc::constant(nb, l, et, 1.0), i)
                      : applyActivation(nb, l, fa[0], clipped(nb, l, gf));
              Value cc = applyActivation(nb, l, fa[1], clipped(nb, l, gc));
              Value cN = arith::AddFOp::create(
                  nb, l, arith::MulFOp::create(nb, l, f, cPrev),
                  arith::MulFOp::create(nb, l, i, cc));
              if (peep) {
                Value j = linalg::IndexOp::create(nb, l, 1);
                Value po = tensor::ExtractOp::create(nb, l, pv[1], j);
                go = arith::AddFOp::create(nb, l, go,
                                           arith::MulFOp::create(nb, l, po, cN));
              }
              Value o = applyActivation(nb, l, fa[0], clipped(nb, l, go));
              Value hN = arith::MulFOp::create(
                  nb, l, o, applyActivation(nb, l, fa[2], cN));
              Value yv = hN;
              if (seqLens) {
                Value on = active(nb, l, a[6]);
                hN = arith::SelectOp::create(nb, l, on, hN, hPrev);
                cN = arith::SelectOp::create(nb, l, on, cN, cPrev);
                yv = arith::SelectOp::create(nb, l, on, yv,
                                             sc::constant(nb, l, et, 0.0));
              }
              return SmallVector<Value>{hN, cN, yv};
            });
            hNew = res[0];
            cNew = res[1];
            yNew = res[2];
          } else if (kind == Kind::GRU) {
            Value zr = AddOp::create(b(), loc,
                                     RankedTensorType::get({B, 2 * H}, et),
                                     columns(xt_, 0, 2 * H), matmul(h, rZR));
            SmallVector<Value> ins{columns(zr, 0, H), columns(zr, H, H), h};
            auto zrRes = cell(ins, 3, h, [&](OpBuilder &nb, Location l,
                                            ValueRange a) {
              Value z = applyActivation(nb, l, fa[0], clipped(nb, l, a[0]));
              Value rr = applyActivation(nb, l, fa[0], clipped(nb, l, a[1]));
              return SmallVector<Value>{z, rr,
                                        arith::MulFOp::create(nb, l, rr, a[2])};
            });
            Value z = zrRes[0], rg = zrRes[1], rh = zrRes[2];
            // h~ = act(x Wh + Wbh + (r*h) Rh + Rbh)      (lbr = 0)
            //    = act(x Wh + Wbh + r * (h Rh + Rbh))    (lbr = 1)
            Value rec = lbr ? addBias(matmul(h, rHT), rbh)
                            : addBias(matmul(rh, rHT), rbh);
            SmallVector<Value> ins2{columns(xt_, 2 * H, H), rec, rg, z, h};
            ins2.append(extra);
            auto res = cell(ins2, 2, h, [&](OpBuilder &nb, Location l,
                                            ValueRange a) {
              Value recv = lbr ? (Value)arith::MulFOp::create(nb, l, a[2], a[1])
                               : a[1];
              Value hh = applyActivation(
                  nb, l, fa[1],
                  clipped(nb, l, arith::AddFOp::create(nb, l, a[0], recv)));
              Value zz = a[3], hPrev = a[4];
              Value hN = arith::AddFOp::create(
                  nb, l,
                  arith::MulFOp::create(
                      nb, l,
                      arith::SubFOp::create(nb, l, sc::constant(nb, l, et, 1.0),
                                            zz),
                      hh),
                  arith::MulFOp::create(nb, l, zz, hPrev));
              Value yv = hN;
              if (seqLens) {
                Value on = active(nb, l, a[5]);
                hN = arith::SelectOp::create(nb, l, on, hN, hPrev);
                yv = arith::SelectOp::create(nb, l, on, yv,
                                             sc::constant(nb, l, et, 0.0));
              }
              return SmallVector<Value>{hN, yv};
            });
            hNew = res[0];
            yNew = res[1];
          } else {
            Value g = AddOp::create(b(), loc, xt_.getType(), xt_,
                                    matmul(h, rT));
            SmallVector<Value> ins{g, h};
            ins.append(extra);
            auto res = cell(ins, 2, h, [&](OpBuilder &nb, Location l,
                                           ValueRange a) {
              Value hN = applyActivation(nb, l, fa[0], clipped(nb, l, a[0]));
              Value yv = hN;
              if (seqLens) {
                Value on = active(nb, l, a[2]);
                hN = arith::SelectOp::create(nb, l, on, hN, a[1]);
                yv = arith::SelectOp::create(nb, l, on, yv,
                                             sc::constant(nb, l, et, 0.0));
              }
              return SmallVector<Value>{hN, yv};
            });
            hNew = res[0];
            yNew = res[1];
          }
          // y[tt] = yNew
          SmallVector<OpFoldResult> yOffs{OpFoldResult(tt), b().getIndexAttr(0),
                                          b().getIndexAttr(0)};
          SmallVector<OpFoldResult> ySzs{
              b().getIndexAttr(1),
              B == kDyn ? OpFoldResult(dim(yNew, 0))
                        : OpFoldResult(b().getIndexAttr(B)),
              b().getIndexAttr(H)};
          Value yUpd = tensor::InsertSliceOp::create(b(), loc, yNew, y, yOffs,
                                                     ySzs, strs);
          SmallVector<Value> next{hNew, yUpd};
          if (c)
            next.push_back(cNew);
          scf::YieldOp::create(b(), loc, next);
        });
    hs.push_back(loop.getResult(0));
    ys.push_back(loop.getResult(1));
    if (c0)
      cs.push_back(loop.getResult(2));
  }
  // Y [S, dirs, B, H] (or [B, S, dirs, H]), Y_h / Y_c [dirs, B, H] (or
  // [B, dirs, H]).
  auto stack = [&](ArrayRef<Value> parts, ArrayRef<int64_t> unitShape,
                   int64_t axis) {
    SmallVector<Value> lifted;
    for (Value p : parts)
      lifted.push_back(im.reshapeTo(loc, p, unitShape));
    if (lifted.size() == 1)
      return lifted[0];
    SmallVector<int64_t> shape(unitShape);
    shape[axis] = lifted.size();
    return (Value)ConcatOp::create(b(), loc,
                                   RankedTensorType::get(shape, et), lifted,
                                   b().getI64IntegerAttr(axis));
  };
  Value y = stack(ys, {S, 1, B, H}, 1);
  Value yh = stack(hs, {1, B, H}, 0);
  Value yc = cs.empty() ? Value() : stack(cs, {1, B, H}, 0);
  if (batchFirst) {
    y = im.transpose(loc, y, {2, 0, 1, 3});
    yh = im.transpose(loc, yh, {1, 0, 2});
    if (yc)
      yc = im.transpose(loc, yc, {1, 0, 2});
  }
  im.set(node, y, 0);
  im.set(node, yh, 1);
  if (yc)
    im.set(node, yc, 2);
  return success();
}

Handler recurrent(Kind kind) {
  return [kind](Importer &im, const onnx::NodeProto &node) -> LogicalResult {
    if (failed(im.requireInputs(node, 3, kind == Kind::LSTM ? 8 : 6)))
      return failure();
    Layer layer{im, node, kind, im.nodeLoc(node), Type()};
    return layer.run();
  };
}

} // namespace

void qopt::onnx_import::registerRecurrentHandlers(HandlerTable &t) {
  t.onOp("LSTM", 7, recurrent(Kind::LSTM));
  t.onOp("GRU", 7, recurrent(Kind::GRU));
  t.onOp("RNN", 7, recurrent(Kind::RNN));
}
