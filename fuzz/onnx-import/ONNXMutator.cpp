//===- ONNXMutator.cpp - Structure-aware mutations of ONNX models ---------===//
//
// Part of qopt. libFuzzer's byte-level mutations rarely keep a protobuf
// parseable, so most of their inputs stop at "not a valid ONNX model". This
// custom mutator parses the model and changes what hostile models change:
// attribute values, dimensions, element types, names and graph outputs,
// node order, opset versions. Inputs that do not parse get libFuzzer's own
// mutations.
//
//===----------------------------------------------------------------------===//

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size,
                                   size_t maxSize);

namespace {

using Rng = std::minstd_rand;

int64_t interestingInt(Rng &rng) {
  static const int64_t values[] = {0,
                                   1,
                                   -1,
                                   2,
                                   3,
                                   7,
                                   -2,
                                   255,
                                   256,
                                   65536,
                                   (int64_t(1) << 31) - 1,
                                   int64_t(1) << 31,
                                   int64_t(1) << 32,
                                   int64_t(1) << 40,
                                   int64_t(1) << 62,
                                   std::numeric_limits<int64_t>::max(),
                                   std::numeric_limits<int64_t>::min()};
  if (rng() % 4 == 0)
    return int64_t(rng() % 64) - 8;
  return values[rng() % (sizeof(values) / sizeof(values[0]))];
}

float interestingFloat(Rng &rng) {
  static const float values[] = {0.0f,
                                 -0.0f,
                                 1.0f,
                                 -1.0f,
                                 0.5f,
                                 1e-30f,
                                 1e30f,
                                 std::numeric_limits<float>::infinity(),
                                 -std::numeric_limits<float>::infinity(),
                                 std::numeric_limits<float>::quiet_NaN(),
                                 std::numeric_limits<float>::denorm_min()};
  return values[rng() % (sizeof(values) / sizeof(values[0]))];
}

/// Every tensor name the graph mentions (inputs, initializers, outputs).
std::vector<std::string> allNames(const onnx::GraphProto &g) {
  std::vector<std::string> names = {""};
  for (const auto &i : g.input())
    names.push_back(i.name());
  for (const auto &i : g.initializer())
    names.push_back(i.name());
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      names.push_back(o);
  return names;
}

void mutateAttribute(onnx::NodeProto &node, Rng &rng) {
  if (node.attribute_size() == 0 || rng() % 5 == 0) {
    static const char *names[] = {"axis",    "axes",        "pads",
                                  "strides", "kernel_shape", "dilations",
                                  "group",   "perm",        "to",
                                  "alpha",   "beta",        "auto_pad",
                                  "ceil_mode", "transB",    "keepdims"};
    onnx::AttributeProto *a = node.add_attribute();
    a->set_name(names[rng() % (sizeof(names) / sizeof(names[0]))]);
    a->set_type(onnx::AttributeProto::INTS);
    for (int i = 0, n = rng() % 5; i < n; ++i)
      a->add_ints(interestingInt(rng));
    return;
  }
  onnx::AttributeProto &a = *node.mutable_attribute(rng() % node.attribute_size());
  switch (rng() % 6) {
  case 0:
    a.set_i(interestingInt(rng));
    break;
  case 1:
    if (a.ints_size())
      a.set_ints(rng() % a.ints_size(), interestingInt(rng));
    else
      a.add_ints(interestingInt(rng));
    break;
  case 2:
    a.set_f(interestingFloat(rng));
    break;
  case 3:
    if (a.ints_size() && rng() % 2)
      a.mutable_ints()->RemoveLast();
    else
      a.add_ints(interestingInt(rng));
    break;
  case 4: {
    static const char *strings[] = {"SAME_UPPER", "SAME_LOWER", "VALID",
                                    "NOTSET",     "SAME",       "",
                                    "constant",   "reflect",    "edge"};
    a.set_s(strings[rng() % (sizeof(strings) / sizeof(strings[0]))]);
    break;
  }
  default:
    a.set_type(static_cast<onnx::AttributeProto::AttributeType>(rng() % 15));
    break;
  }
}

void mutateTensorShape(onnx::ModelProto &m, Rng &rng) {
  onnx::GraphProto &g = *m.mutable_graph();
  if (g.initializer_size() && rng() % 2) {
    onnx::TensorProto &t = *g.mutable_initializer(rng() % g.initializer_size());
    switch (rng() % 4) {
    case 0:
      if (t.dims_size())
        t.set_dims(rng() % t.dims_size(), interestingInt(rng));
      break;
    case 1:
      t.add_dims(interestingInt(rng));
      break;
    case 2:
      t.set_data_type(rng() % 17);
      break;
    default:
      t.set_data_location(onnx::TensorProto::EXTERNAL);
      t.clear_external_data();
      for (const char *kv : {"location", "offset", "length"}) {
        if (rng() % 3 == 0)
          continue;
        auto *e = t.add_external_data();
        e->set_key(kv);
        static const char *values[] = {"w.bin", "../w.bin", "/etc/passwd",
                                       "0",     "8",        "-1",
                                       "abc",   "99999999999999999999",
                                       "9223372036854775807"};
        e->set_value(values[rng() % (sizeof(values) / sizeof(values[0]))]);
      }
      break;
    }
    return;
  }
  auto *io = rng() % 2 ? g.mutable_input() : g.mutable_output();
  if (io->size() == 0)
    return;
  onnx::ValueInfoProto &v = *io->Mutable(rng() % io->size());
  auto *tt = v.mutable_type()->mutable_tensor_type();
  if (rng() % 4 == 0) {
    tt->set_elem_type(rng() % 17);
    return;
  }
  auto *shape = tt->mutable_shape();
  if (shape->dim_size() == 0 || rng() % 4 == 0) {
    shape->add_dim()->set_dim_value(interestingInt(rng));
    return;
  }
  auto *d = shape->mutable_dim(rng() % shape->dim_size());
  if (rng() % 3 == 0)
    d->set_dim_param("N");
  else
    d->set_dim_value(interestingInt(rng));
}

void mutateGraph(onnx::ModelProto &m, Rng &rng) {
  onnx::GraphProto &g = *m.mutable_graph();
  std::vector<std::string> names = allNames(g);
  switch (rng() % 7) {
  case 0: // rewire an input
    if (g.node_size()) {
      onnx::NodeProto &n = *g.mutable_node(rng() % g.node_size());
      if (n.input_size())
        n.set_input(rng() % n.input_size(), names[rng() % names.size()]);
      else
        n.add_input(names[rng() % names.size()]);
    }
    break;
  case 1: // drop or add an output of a node
    if (g.node_size()) {
      onnx::NodeProto &n = *g.mutable_node(rng() % g.node_size());
      if (n.output_size() && rng() % 2)
        n.mutable_output()->RemoveLast();
      else
        n.add_output(rng() % 2 ? "" : names[rng() % names.size()]);
    }
    break;
  case 2: // repeat a graph output, or add any tensor as one
    if (g.output_size() && rng() % 2)
      *g.add_output() = g.output(rng() % g.output_size());
    else
      g.add_output()->set_name(names[rng() % names.size()]);
    break;
  case 3: // swap two nodes
    if (g.node_size() > 1)
      g.mutable_node()->SwapElements(rng() % g.node_size(),
                                     rng() % g.node_size());
    break;
  case 4: // duplicate or remove a node
    if (g.node_size() && rng() % 2)
      *g.add_node() = g.node(rng() % g.node_size());
    else if (g.node_size())
      g.mutable_node()->DeleteSubrange(rng() % g.node_size(), 1);
    break;
  case 5: { // change an op type to a neighbour's or a random known one
    static const char *ops[] = {
        "Conv",  "Gemm",     "MatMul",   "Relu",      "Add",     "Mul",
        "Reshape", "Flatten", "Transpose", "Concat",  "Pad",     "MaxPool",
        "AveragePool", "GlobalAveragePool", "Cast", "Gather", "Shape",
        "ConstantOfShape", "Squeeze", "Unsqueeze", "QuantizeLinear",
        "DequantizeLinear", "QLinearConv", "Clip", "Softmax",
        "BatchNormalization", "Constant", "Identity", "Div", "Sub"};
    if (g.node_size())
      g.mutable_node(rng() % g.node_size())
          ->set_op_type(ops[rng() % (sizeof(ops) / sizeof(ops[0]))]);
    break;
  }
  default: // opset
    if (m.opset_import_size())
      m.mutable_opset_import(0)->set_version(rng() % 24);
    break;
  }
}

} // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t maxSize, unsigned seed) {
  Rng rng(seed);
  onnx::ModelProto model;
  if (rng() % 8 == 0 || !model.ParseFromArray(data, (int)size) ||
      !model.has_graph())
    return LLVMFuzzerMutate(data, size, maxSize);
  int rounds = 1 + rng() % 3;
  for (int i = 0; i < rounds; ++i) {
    switch (rng() % 3) {
    case 0:
      if (model.graph().node_size())
        mutateAttribute(
            *model.mutable_graph()->mutable_node(rng() % model.graph().node_size()),
            rng);
      break;
    case 1:
      mutateTensorShape(model, rng);
      break;
    default:
      mutateGraph(model, rng);
      break;
    }
  }
  std::string out;
  if (!model.SerializeToString(&out) || out.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::memcpy(data, out.data(), out.size());
  return out.size();
}
