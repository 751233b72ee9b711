//===- VersionConversion.cpp - Old opsets through ONNX's own adapters -----===//
//
// Part of qopt. Models of default-domain opsets 1-6 are converted to the
// oldest opset the importer reads by ONNX's version converter (the adapters
// ONNX itself maintains for every op change), instead of handlers for
// semantics that changed (Reshape's shape attribute, broadcast attributes,
// BatchNormalization's spatial/is_test/consumed_inputs, Gemm's broadcast).
//
// Two things the converter needs are done first, at opset 6 (up to which
// the adapters need no shapes, and whose shape inference covers the graph):
// shape inference (the 6 -> 7 adapters read operand shapes) and the old
// axis broadcast, which its adapter gets wrong. `Add(A[N,C,H,W], B[C],
// broadcast=1, axis=1)` must become `B` unsqueezed to [C,1,1]; ONNX's adapter
// (onnx 1.14 to at least 1.17) appends rank(A) - rank(B) ones, [C,1,1,1], and
// then fails its own check. Here `B` gets an Unsqueeze to rank(A) - axis first,
// which makes the broadcast numpy's.
//
// Its adapters trust the graph (a one-input Mul made one read out of
// bounds and crash), so ONNX's checker validates the model against the
// opset's schemas first; an op the opset does not define is named.
//
// The converter reports failures by throwing (ONNX_ASSERT); this file alone
// is compiled with exceptions so that a model it cannot convert is an error
// message, not an abort.
//
//===----------------------------------------------------------------------===//

#include "VersionConversion.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"
#include "llvm/ADT/StringSet.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <set>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

namespace {

/// Binary ops whose opset-1..6 forms take `broadcast` and `axis`.
const std::set<std::string> kAxisBroadcastOps = {
    "Add", "Sub", "Mul",   "Div",     "Pow", "And",
    "Or",  "Xor", "Equal", "Greater", "Less"};

/// Known ranks of the graph's values (inputs, initializers, inferred).
std::map<std::string, int64_t> ranks(const onnx::GraphProto &g) {
  std::map<std::string, int64_t> r;
  auto add = [&](const onnx::ValueInfoProto &v) {
    if (v.type().has_tensor_type() && v.type().tensor_type().has_shape())
      r[v.name()] = v.type().tensor_type().shape().dim_size();
  };
  for (const auto &v : g.input())
    add(v);
  for (const auto &v : g.value_info())
    add(v);
  for (const auto &v : g.output())
    add(v);
  for (const auto &t : g.initializer())
    r[t.name()] = t.dims_size();
  return r;
}

/// Rewrites `broadcast=1, axis=k` whose operand B does not reach the last
/// axis of A into an explicit Unsqueeze of B (numpy broadcasting).
void unsqueezeAxisBroadcasts(onnx::GraphProto &g) {
  std::map<std::string, int64_t> rank = ranks(g);
  onnx::GraphProto rebuilt;
  int counter = 0;
  for (const onnx::NodeProto &in : g.node()) {
    onnx::NodeProto node = in;
    const onnx::AttributeProto *axis = nullptr, *broadcast = nullptr;
    for (const auto &a : node.attribute()) {
      if (a.name() == "axis")
        axis = &a;
      if (a.name() == "broadcast")
        broadcast = &a;
    }
    if (kAxisBroadcastOps.count(node.op_type()) && node.input_size() == 2 &&
        axis && broadcast && broadcast->i() == 1 && rank.count(node.input(0)) &&
        rank.count(node.input(1))) {
      int64_t ra = rank[node.input(0)], rb = rank[node.input(1)];
      int64_t k = axis->i() < 0 ? axis->i() + ra : axis->i();
      int64_t trailing = ra - k - rb;
      if (k >= 0 && trailing > 0) {
        onnx::NodeProto *u = rebuilt.add_node();
        std::string name =
            node.input(1) + "_qopt_axis_broadcast_" + std::to_string(counter++);
        u->set_op_type("Unsqueeze");
        u->set_name(name);
        u->add_input(node.input(1));
        u->add_output(name);
        onnx::AttributeProto *axes = u->add_attribute();
        axes->set_name("axes");
        axes->set_type(onnx::AttributeProto::INTS);
        for (int64_t i = 0; i < trailing; ++i)
          axes->add_ints(rb + i);
        node.set_input(1, name);
        rank[name] = rb + trailing;
      }
    }
    *rebuilt.add_node() = node;
  }
  g.mutable_node()->Swap(rebuilt.mutable_node());
}

/// ONNX's Reshape 4 -> 5 adapter stores the shape attribute as a 0-d
/// tensor holding every dimension; a shape is 1-D.
void fixReshapeShapes(onnx::GraphProto &g) {
  std::set<std::string> shapes;
  for (const auto &n : g.node())
    if (n.op_type() == "Reshape" && n.input_size() == 2)
      shapes.insert(n.input(1));
  auto fix = [](onnx::TensorProto &t) {
    if (t.dims_size() != 0 || t.data_type() != onnx::TensorProto::INT64)
      return;
    int64_t n = t.has_raw_data() ? int64_t(t.raw_data().size() / 8)
                                 : t.int64_data_size();
    if (n != 1)
      t.add_dims(n);
  };
  for (auto &t : *g.mutable_initializer())
    if (shapes.count(t.name()))
      fix(t);
  // (The adapter writes it as a Constant node.)
  for (auto &n : *g.mutable_node())
    if (n.op_type() == "Constant" && n.output_size() == 1 &&
        shapes.count(n.output(0)))
      for (auto &a : *n.mutable_attribute())
        if (a.name() == "value" && a.has_t())
          fix(*a.mutable_t());
}

/// What ONNX's IR import (graphProtoToGraph, under every adapter) takes for
/// granted and its checker does not check: each value defined once, each
/// node input and graph output defined (a graph output that no node
/// produces is registered as a null value and written through: a crash).
/// Subgraphs may read values of the graphs around them.
bool wellFormed(const onnx::GraphProto &g, std::set<std::string> scope,
                std::string &error) {
  std::set<std::string> defined;
  auto define = [&](const std::string &name, const char *what) {
    if (name.empty())
      return true;
    if (!defined.insert(name).second) {
      error = std::string("graph '") + g.name() + "': value '" + name +
              "' is defined twice (" + what + ")";
      return false;
    }
    scope.insert(name);
    return true;
  };
  for (const auto &v : g.input())
    if (!define(v.name(), "graph input"))
      return false;
  for (const auto &t : g.initializer())
    if (!defined.count(t.name()) && !define(t.name(), "initializer"))
      return false;
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto &n = g.node(i);
    std::string what =
        "node " +
        (n.name().empty() ? "#" + std::to_string(i) : "'" + n.name() + "'") +
        " (" + n.op_type() + ")";
    for (const auto &in : n.input())
      if (!in.empty() && !scope.count(in)) {
        error = what + " reads '" + in + "', which is not defined before it";
        return false;
      }
    // ONNX's shape inference divides by strides and dilations and sizes
    // windows by the kernel (a stride of 0 was a division by zero).
    static const std::set<std::string> windowed = {
        "Conv",   "ConvTranspose", "MaxPool",     "AveragePool",
        "LpPool", "MaxUnpool",     "ConvInteger", "QLinearConv"};
    for (const auto &a : n.attribute()) {
      bool positive = a.name() == "strides" || a.name() == "dilations" ||
                      a.name() == "kernel_shape";
      bool nonNegative = a.name() == "pads" && windowed.count(n.op_type());
      for (int64_t v : a.ints())
        if ((positive && v < 1) || (nonNegative && v < 0)) {
          error = what + " has " + a.name() + " containing " +
                  std::to_string(v) + " (must be " +
                  (positive ? "at least 1" : "non-negative") + ")";
          return false;
        }
    }
    for (const auto &a : n.attribute()) {
      if (a.has_g() && !wellFormed(a.g(), scope, error))
        return false;
      for (const auto &sub : a.graphs())
        if (!wellFormed(sub, scope, error))
          return false;
    }
    for (const auto &out : n.output())
      if (!define(out, "node output"))
        return false;
  }
  for (const auto &out : g.output())
    if (!scope.count(out.name())) {
      error = std::string("graph '") + g.name() + "': output '" + out.name() +
              "' is not produced by any node";
      return false;
    }
  return true;
}

} // namespace

namespace {

std::optional<onnx::ModelProto> convertHere(const onnx::ModelProto &in,
                                            int target, std::string &error) {
  try {
    // Shape inference of opsets 1-5 stops at the first broadcasting op;
    // opset 6's infers the whole graph. The adapters up to 6 need no shapes.
    onnx::ModelProto model = in;
    int64_t opset = 0;
    for (const auto &os : model.opset_import())
      if (os.domain().empty() || os.domain() == "ai.onnx")
        opset = os.version();
    // An op ONNX does not define at the model's opset has no adapter (the
    // converter's own message is "unordered_map::at").
    for (int i = 0; i < model.graph().node_size(); ++i) {
      const onnx::NodeProto &n = model.graph().node(i);
      if (!n.domain().empty() && n.domain() != "ai.onnx")
        continue;
      if (!onnx::OpSchemaRegistry::Schema(n.op_type(), int(opset), "")) {
        error = "node " +
                (n.name().empty() ? "#" + std::to_string(i)
                                  : "'" + n.name() + "'") +
                " (" + n.op_type() + ") is not an operator of opset " +
                std::to_string(opset);
        return std::nullopt;
      }
    }
    // The adapters trust the graph (a Mul with one input made
    // BroadcastForwardCompatibility read past its inputs and crash):
    // ONNX's checker validates every node against its schema first.
    // Before IR version 4 every initializer had to be a graph input too;
    // models that omit those inputs (ONNX Runtime runs them) get them here,
    // in the converter's copy, so that the checker accepts them.
    if (model.ir_version() < 4) {
      onnx::GraphProto *g = model.mutable_graph();
      llvm::StringSet<> inputs;
      for (const onnx::ValueInfoProto &in : g->input())
        inputs.insert(in.name());
      for (const onnx::TensorProto &t : g->initializer()) {
        if (inputs.contains(t.name()))
          continue;
        onnx::ValueInfoProto *in = g->add_input();
        in->set_name(t.name());
        auto *tt = in->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(t.data_type());
        for (int64_t d : t.dims())
          tt->mutable_shape()->add_dim()->set_dim_value(d);
      }
    }
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      error = std::string("ONNX's checker: ") + e.what();
      return std::nullopt;
    }
    if (!wellFormed(model.graph(), {}, error))
      return std::nullopt;
    if (opset < 6 && target > 6) {
      model = onnx::version_conversion::ConvertVersion(model, 6);
      fixReshapeShapes(*model.mutable_graph());
    }
    onnx::shape_inference::InferShapes(model);
    unsqueezeAxisBroadcasts(*model.mutable_graph());
    onnx::shape_inference::InferShapes(model);
    return onnx::version_conversion::ConvertVersion(model, target);
  } catch (const std::exception &e) {
    error = e.what();
  } catch (...) {
    error = "unknown error";
  }
  return std::nullopt;
}

bool writeAll(int fd, const char *data, size_t size) {
  while (size) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= n;
  }
  return true;
}

} // namespace

// ONNX's checker, shape inference and version converter are not hardened
// against hostile models: the fuzzer found a division by zero (a stride of
// 0) and out-of-bounds reads (a weight of another rank than its input) in
// its shape inference, and a null write in its IR import. The conversion
// therefore runs in a child process; whatever ONNX does to it, the importer
// gets a converted model or an error. The checks before conversion
// (wellFormed) name the usual causes.
std::optional<onnx::ModelProto>
qopt::onnx_import::convertOpset(const onnx::ModelProto &in, int target,
                                std::string &error) {
  int fds[2];
  if (::pipe(fds) != 0) {
    error = std::string("cannot start the conversion: ") + strerror(errno);
    return std::nullopt;
  }
  pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    error = std::string("cannot start the conversion: ") + strerror(errno);
    return std::nullopt;
  }
  if (child == 0) {
    ::close(fds[0]);
    // A crash here is an answer, not a bug report: no stack dump.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP})
      ::signal(sig, SIG_DFL);
    std::string why, payload;
    std::optional<onnx::ModelProto> out = convertHere(in, target, why);
    char tag = 'E';
    if (out && out->SerializeToString(&payload))
      tag = 'M';
    else
      payload = out ? "cannot serialize the converted model" : why;
    bool ok = writeAll(fds[1], &tag, 1) &&
              writeAll(fds[1], payload.data(), payload.size());
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  std::string received;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    received.append(buf, n);
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || received.empty()) {
    error = WIFSIGNALED(status)
                ? "ONNX's converter crashed on this model (signal " +
                      std::to_string(WTERMSIG(status)) +
                      "): it is not a valid model of its opset"
                : std::string("ONNX's converter failed on this model");
    return std::nullopt;
  }
  if (received[0] == 'E') {
    error = received.substr(1);
    return std::nullopt;
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(received.data() + 1, int(received.size() - 1))) {
    error = "cannot read the converted model";
    return std::nullopt;
  }
  return model;
}
