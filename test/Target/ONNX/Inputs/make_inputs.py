#!/usr/bin/env python3
"""Regenerates the small ONNX files the importer tests use.

Needs Debian's python3-onnx (not a build dependency: the outputs are
committed). Run from this directory: /usr/bin/python3 make_inputs.py
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model, name):
    onnx.save(model, name)


def tiny_ops(opset):
    """Every simple op the importer maps, with shape sub-graphs to fold."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.standard_normal((2, 1, 3, 3)).astype(np.float32), "dw"),
        numpy_helper.from_array(np.array([0.5, -0.5], np.float32), "db"),
        numpy_helper.from_array(rng.standard_normal((8, 4)).astype(np.float32), "gw"),
        numpy_helper.from_array(np.array([0.1, 0.2, 0.3, 0.4], np.float32), "gc"),
        numpy_helper.from_array(np.array([-1, 8], np.int64), "shape"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "dw", "db"], ["c"], name="dwconv", group=2,
                         pads=[1, 1, 1, 1]),
        helper.make_node("LeakyRelu", ["c"], ["l"], name="leaky", alpha=0.1),
        helper.make_node("AveragePool", ["l"], ["p"], name="avgpool",
                         kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Pad", ["p"], ["pd"], name="pad", pads=[0, 0, 0, 0, 0, 0, 0, 0])
        if opset < 11 else
        helper.make_node("Identity", ["p"], ["pd"], name="ident"),
        helper.make_node("Reshape", ["pd", "shape"], ["r"], name="reshape"),
        helper.make_node("Gemm", ["r", "gw"], ["g"], name="gemm", alpha=2.0),
        helper.make_node("Add", ["g", "gc"], ["a"], name="add"),
        helper.make_node("HardSigmoid", ["a"], ["h"], name="hsig"),
        helper.make_node("Softmax", ["h"], ["y"], name="softmax", axis=1),
    ]
    graph = helper.make_graph(nodes, "tiny", [x], [y], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def single(op, opset, inputs, outputs, inits=(), **attrs):
    node = helper.make_node(op, [i.name for i in inputs] + [t.name for t in inits],
                            [o.name for o in outputs], name="the_node", **attrs)
    graph = helper.make_graph([node], "g", list(inputs), list(outputs), list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)

save(tiny_ops(13), "tiny_ops_op13.onnx")
save(tiny_ops(9), "tiny_ops_op9.onnx")
# Clip before opset 11 (attributes) and after (inputs).
save(single("Clip", 9, [f("x", [4])], [f("y", [4])], min=0.0, max=6.0), "clip_op9.onnx")
save(single("Clip", 13, [f("x", [4])], [f("y", [4])],
            [numpy_helper.from_array(np.array(-1.0, np.float32), "lo"),
             numpy_helper.from_array(np.array(1.0, np.float32), "hi")]), "clip_op13.onnx")
# Errors.
save(single("Selu", 13, [f("x", [4])], [f("y", [4])]), "unsupported_op.onnx")
save(single("Relu", 18, [f("x", [4])], [f("y", [4])]), "opset18.onnx")
save(single("Relu", 13, [f("x", [1, 3, "H", "W"])], [f("y", [1, 3, "H", "W"])]),
     "dynamic_spatial.onnx")
ext = numpy_helper.from_array(np.ones((4,), np.float32), "w")
ext.ClearField("raw_data")
ext.data_location = TensorProto.EXTERNAL
ext.external_data.add(key="location", value="missing_weights.bin")
save(single("Add", 13, [f("x", [4])], [f("y", [4])], [ext]), "external_missing.onnx")
good = open("digits_cnn_bn_fp32.onnx", "rb").read()
open("truncated.onnx", "wb").write(good[: len(good) // 3])
open("empty.onnx", "wb").write(b"")

# External data: the weights of a small Gemm live in external_weights.bin.
ext_model = single("Gemm", 13, [f("x", [2, 3])], [f("y", [2, 2])],
                   [numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "w"),
                    numpy_helper.from_array(np.array([0.5, -0.5], np.float32), "b")],
                   transB=1)
onnx.save_model(ext_model, "external_data.onnx", save_as_external_data=True,
                all_tensors_to_one_file=True, location="external_weights.bin",
                size_threshold=0)

# A legal attribute value qopt does not support: MaxPool storage_order = 1.
save(single("MaxPool", 13, [f("x", [1, 1, 4, 4])], [f("y", [1, 1, 2, 2])],
            kernel_shape=[2, 2], strides=[2, 2], storage_order=1),
     "unsupported_attribute.onnx")

# One malformed or unsupported node per file, for import-onnx-errors.test.
i64 = lambda n, v: numpy_helper.from_array(np.array(v, np.int64), n)
ft = lambda n, a: numpy_helper.from_array(np.array(a, np.float32), n)
save(single("Flatten", 13, [f("x", [2, 3])], [f("y", [6])], axis=3), "bad_flatten_axis.onnx")
save(single("Gemm", 13, [f("a", [2, 3, 4]), f("b", [4, 5])], [f("y", [2, 5])]),
     "bad_gemm_rank.onnx")
save(single("Gemm", 13, [f("a", [2, 3]), f("b", [4, 5])], [f("y", [2, 5])]),
     "bad_gemm_inner.onnx")
save(single("Reshape", 13, [f("x", [2, 3]), f("s", [2])], [f("y", [6])]),
     "reshape_dynamic_shape.onnx")
save(single("Reshape", 13, [f("x", [2, 3])], [f("y", [6])], [i64("s", [-1, -1])]),
     "bad_reshape_two_infer.onnx")
save(single("Transpose", 13, [f("x", [2, 3])], [f("y", [3, 2])], perm=[0, 0]),
     "bad_transpose_perm.onnx")
save(single("Pad", 13, [f("x", [1, 4])], [f("y", [1, 2])], [i64("p", [0, -1, 0, -1])]),
     "pad_negative.onnx")
save(single("Squeeze", 13, [f("x", [2, 3])], [f("y", [3])], [i64("axes", [0])]),
     "bad_squeeze.onnx")
save(single("MaxPool", 13, [f("x", [1, 1, 4, 4])], [f("y", [1, 1, 2, 2])]),
     "bad_maxpool_no_kernel.onnx")
save(single("Conv", 13, [f("x", [1, 1, 4, 4, 4])], [f("y", [1, 1, 4, 4, 4])],
            [ft("w", np.ones((1, 1, 1, 1, 1)))]), "conv3d.onnx")
save(single("Gather", 13, [f("x", [3, 2])], [f("y", [1, 2])], [i64("i", [5])]),
     "gather_runtime.onnx")
save(single("Gather", 13, [], [f("y", [1, 2])],
            [ft("x", np.zeros((3, 2))), i64("i", [5])]), "bad_gather_index.onnx")
save(single("BatchNormalization", 13, [f("x", [1, 2, 2, 2])], [f("y", [1, 2, 2, 2])],
            [ft("s", [1, 1]), ft("b", [0, 0]), ft("m", [0, 0]), ft("v", [1, 1])],
            training_mode=1), "bn_training.onnx")
