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
save(single("TfIdfVectorizer", 13, [f("x", [4])], [f("y", [4])]), "unsupported_op.onnx")
save(single("Relu", 22, [f("x", [4])], [f("y", [4])]), "opset22.onnx")
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


# More node errors, one file each, for import-onnx-node-errors.test.
T = TensorProto
v = helper.make_tensor_value_info
i32 = lambda n, s: v(n, T.INT32, s)
save(single("Div", 13, [], [v("y", T.INT64, [1])], [i64("a", [4]), i64("b", [0])]),
     "err_div_zero.onnx")
save(single("Add", 13, [f("a", [2]), i32("b", [2])], [f("y", [2])]),
     "err_add_types.onnx")
save(single("Conv", 13, [f("x", [1, 1, 4, 4])], [f("y", [1, 1, 4, 4])],
            [ft("w", np.ones((1, 1, 1, 1)))], strides=[1]), "err_conv_strides.onnx")
save(single("Conv", 13, [f("x", [1, 1, 4, 4])], [f("y", [1, 1, 4, 4])],
            [ft("w", np.ones((1, 1, 3, 3)))], auto_pad="SAME"), "err_conv_autopad.onnx")
save(single("Gemm", 13, [f("a", [2, 3]), f("b", [4, 3])], [f("y", [2, 4])],
            alpha=2.0, transB=1), "err_gemm_alpha.onnx")
g = helper.make_node("Gemm", ["a", "b", "c"], ["y"], name="the_node", beta=2.0, transB=1)
save(helper.make_model(helper.make_graph(
    [g], "g", [f("a", [2, 3]), f("c", [4])], [f("y", [2, 4])], [ft("b", np.ones((4, 3)))]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_gemm_beta.onnx")
g = helper.make_node("Gemm", ["a", "b", "c"], ["y"], name="the_node", transB=1)
save(helper.make_model(helper.make_graph(
    [g], "g", [f("a", [2, 3])], [f("y", [2, 4])],
    [ft("b", np.ones((4, 3))), ft("c", np.ones(3))]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_gemm_c.onnx")
save(single("MaxPool", 13, [f("x", [1, 1, 8])], [f("y", [1, 1, 4])],
            kernel_shape=[2], strides=[2, 2]), "err_pool1d_attrs.onnx")
save(single("AveragePool", 17, [f("x", [1, 1, 8, 8])], [f("y", [1, 1, 6, 6])],
            kernel_shape=[2, 2], dilations=[2, 2]), "err_avgpool_dilated.onnx")
save(single("Softmax", 11, [f("x", [2, 3, 4])], [f("y", [2, 3, 4])], axis=1),
     "err_softmax_opset11.onnx")
save(single("Reshape", 13, [f("x", [2, 3])], [f("y", [2, 3])], [i64("s", [0, 0, 0])]),
     "err_reshape_copy.onnx")
save(single("Reshape", 13, [f("x", [2, 3])], [f("y", [6])], [i64("s", [-2, 3])]),
     "err_reshape_negative.onnx")
save(single("Unsqueeze", 13, [f("x", [2]), v("axes", T.INT64, [1])], [f("y", [1, 2])]),
     "err_unsqueeze_axes_runtime.onnx")
save(single("Unsqueeze", 11, [f("x", [2])], [f("y", [1, 2])]),
     "err_unsqueeze_no_axes.onnx")
save(single("Pad", 13, [f("x", [1, 4])], [f("y", [1, 6])], [i64("p", [0, 1, 0, 1])],
            mode="wrap"), "err_pad_mode.onnx")
save(single("Pad", 13, [f("x", [1, 4]), v("p", T.INT64, [4])], [f("y", [1, 6])]),
     "err_pad_runtime.onnx")
save(single("Pad", 13, [f("x", [1, 4])], [f("y", [1, 4])]), "err_pad_no_pads.onnx")
save(single("Pad", 13, [f("x", [1, 4])], [f("y", [1, 8])], [i64("p", [0, 4, 0, 0])],
            mode="reflect"), "err_pad_reflect_wide.onnx")
save(single("Constant", 13, [], [f("y", [1])]), "err_constant_empty.onnx")
# Training mode (random masks): the mask output itself is supported.
save(single("Dropout", 13, [f("x", [2])], [f("y", [2]), v("m", T.BOOL, [2])],
            [numpy_helper.from_array(np.array(0.5, np.float32), "r"),
             numpy_helper.from_array(np.array(True), "t")]),
     "err_dropout_mask.onnx")
d = helper.make_node("Relu", ["x"], ["y"], name="the_node", domain="com.microsoft")
save(helper.make_model(helper.make_graph([d], "g", [f("x", [2])], [f("y", [2])]),
                       opset_imports=[helper.make_opsetid("", 13),
                                      helper.make_opsetid("com.microsoft", 1)]),
     "err_domain.onnx")
# One run-time scale is computed elementwise; one per channel is refused.
save(single("QuantizeLinear", 13, [f("x", [2, 2]), f("s", [2])], [v("y", T.UINT8, [2, 2])]),
     "err_quant_scale_runtime.onnx")
q = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="the_node")
save(helper.make_model(helper.make_graph(
    [q], "g", [f("x", [2]), v("z", T.UINT8, [])], [v("y", T.UINT8, [2])], [ft("s", 0.5)]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_quant_zp_runtime.onnx")
q = helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="the_node")
save(helper.make_model(helper.make_graph(
    [q], "g", [f("x", [2, 2])], [v("y", T.UINT8, [2, 2])],
    [ft("s", [0.5, 0.25]), numpy_helper.from_array(np.array([1, 2, 3], np.uint8), "z")]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_quant_zp_count.onnx")
save(single("QuantizeLinear", 13, [v("x", T.FLOAT16, [2])], [v("y", T.UINT8, [2])],
            [ft("s", 0.5)]), "err_quant_f16.onnx")
save(single("Gather", 13, [], [f("y", [1, 2])], [ft("x", np.zeros((3, 2))), i64("i", [1])],
            axis=5), "err_gather_axis.onnx")
save(single("ConstantOfShape", 13, [v("s", T.INT64, [2])], [f("y", [2, 2])]),
     "err_constantofshape_runtime.onnx")
save(single("ConstantOfShape", 13, [], [f("y", [2, 2])], [i64("s", [2, 2])],
            value=numpy_helper.from_array(np.array([1.0, 2.0], np.float32))),
     "err_constantofshape_value.onnx")
save(single("GlobalAveragePool", 13, [f("x", [1, 2, 8])], [f("y", [1, 2, 1])]),
     "err_gap_rank.onnx")
p = helper.make_node("Pad", ["x", "p", "cv"], ["y"], name="the_node")
save(helper.make_model(helper.make_graph(
    [p], "g", [f("x", [1, 4]), f("cv", [])], [f("y", [1, 6])], [i64("p", [0, 1, 0, 1])]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_pad_value_runtime.onnx")
save(single("Pad", 9, [f("x", [1, 4])], [f("y", [1, 4])]), "err_pad_no_pads_op9.onnx")
save(single("ConvInteger", 13, [f("x", [1, 1, 4, 4])], [v("y", T.INT32, [1, 1, 4, 4])],
            [numpy_helper.from_array(np.ones((1, 1, 1, 1), np.int8), "w")]),
     "err_convinteger_float.onnx")
c = helper.make_node("ConvInteger", ["x", "w", "zx"], ["y"], name="the_node")
save(helper.make_model(helper.make_graph(
    [c], "g", [v("x", T.UINT8, [1, 1, 4, 4]), v("zx", T.UINT8, [2])],
    [v("y", T.INT32, [1, 1, 4, 4])],
    [numpy_helper.from_array(np.ones((1, 1, 1, 1), np.int8), "w")]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_convinteger_zp_runtime.onnx")
c = helper.make_node("ConvInteger", ["x", "w", "zx", "zw"], ["y"], name="the_node")
save(helper.make_model(helper.make_graph(
    [c], "g", [v("x", T.UINT8, [1, 1, 4, 4]), v("zx", T.UINT8, [])],
    [v("y", T.INT32, [1, 2, 4, 4])],
    [numpy_helper.from_array(np.ones((2, 1, 1, 1), np.int8), "w"),
     numpy_helper.from_array(np.zeros(3, np.int8), "zw")]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_convinteger_zp_count.onnx")
u8 = lambda n, a: numpy_helper.from_array(np.array(a, np.uint8), n)
qc = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"],
                      name="the_node")
save(helper.make_model(helper.make_graph(
    [qc], "g", [v("x", T.UINT8, [1, 2, 4, 4])], [v("y", T.UINT8, [1, 1, 4, 4])],
    [ft("xs", [0.1, 0.2]), u8("xz", [0, 0]),
     numpy_helper.from_array(np.ones((1, 2, 1, 1), np.uint8), "w"), ft("ws", 0.1),
     u8("wz", 0), ft("ys", 0.1), u8("yz", 0)]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_qlinearconv_per_channel_x.onnx")
qm = helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"],
                      name="the_node")
save(helper.make_model(helper.make_graph(
    [qm], "g", [v("a", T.UINT8, [2, 3])], [v("y", T.UINT8, [2, 4])],
    [ft("as", [0.1, 0.2]), u8("az", [0, 0]),
     numpy_helper.from_array(np.ones((3, 4), np.uint8), "b"), ft("bs", 0.1), u8("bz", 0),
     ft("ys", 0.1), u8("yz", 0)]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_qlinearmatmul_per_row.onnx")
qc = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"],
                      name="the_node")
save(helper.make_model(helper.make_graph(
    [qc], "g", [f("x", [1, 1, 4, 4])], [v("y", T.UINT8, [1, 1, 4, 4])],
    [ft("xs", 0.1), u8("xz", 0), numpy_helper.from_array(np.ones((1, 1, 1, 1), np.uint8), "w"),
     ft("ws", 0.1), u8("wz", 0), ft("ys", 0.1), u8("yz", 0)]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_qlinearconv_float_x.onnx")
qc = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"],
                      name="the_node")
save(helper.make_model(helper.make_graph(
    [qc], "g", [v("x", T.INT8, [1, 1, 4, 4])], [v("y", T.UINT8, [1, 1, 4, 4])],
    [ft("xs", 0.1), numpy_helper.from_array(np.array(0, np.int16), "xz"),
     numpy_helper.from_array(np.ones((1, 1, 1, 1), np.uint8), "w"),
     ft("ws", 0.1), u8("wz", 0), ft("ys", 0.1), u8("yz", 0)]),
    opset_imports=[helper.make_opsetid("", 13)]), "err_qlinearconv_zp_type.onnx")


# Errors of the long tail of ops (import-onnx-long-tail-errors.test).
def g(nodes, inputs, outputs, inits=(), opset=17):
    graph = helper.make_graph(nodes, "g", list(inputs), list(outputs), list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


n = lambda op, ins, outs, **a: helper.make_node(op, ins, outs, name="the_node", **a)
b1 = lambda name, s: v(name, T.BOOL, s)
relu_g = lambda out: helper.make_graph(
    [helper.make_node("TfIdfVectorizer", ["x"], [out])], "b", [], [f(out, [2])])
save(g([n("If", ["c"], ["y"], then_branch=relu_g("t"), else_branch=relu_g("e"))],
       [b1("c", []), f("x", [2])], [f("y", [2])]), "lterr_if_no_branch.onnx")
save(g([n("LSTM", ["x", "w", "r"], ["y"], hidden_size=2)],
       [f("x", [1, 1, 2]), f("w", [1, 8, 2]), f("r", [1, 8, 2])], [f("y", None)]),
     "lterr_lstm_runtime_weights.onnx")
save(g([n("LSTM", ["x", "w", "r"], ["y"], hidden_size=2, activations=["Sigmoid", "Elu", "Tanh"])],
       [f("x", [1, 1, 2])], [f("y", None)],
       [ft("w", np.ones((1, 8, 2))), ft("r", np.ones((1, 8, 2)))]),
     "lterr_lstm_activation.onnx")
save(g([n("LSTM", ["x", "w", "r", "", "", "h"], ["y"], hidden_size=2)],
       [f("x", [1, 2, 2]), f("h", [1, 3, 2])], [f("y", None)],
       [ft("w", np.ones((1, 8, 2))), ft("r", np.ones((1, 8, 2)))]),
     "lterr_lstm_state_batch.onnx")
save(g([n("TopK", ["x", "k"], ["v", "i"])], [f("x", [4]), v("k", T.INT64, [2])],
       [f("v", None), v("i", T.INT64, None)]), "lterr_topk_runtime_k.onnx")
save(g([n("Range", ["s", "l", "d"], ["y"])], [f("s", []), ], [f("y", None)],
       [ft("l", 4.0), ft("d", 1.0)]), "lterr_range_runtime.onnx")
save(g([n("Einsum", ["a", "b"], ["y"], equation="ij,jk->ik")],
       [f("a", [2, 3]), f("b", [4, 5])], [f("y", None)]), "lterr_einsum_sizes.onnx")
save(g([n("Einsum", ["a"], ["y"], equation="ijk->i")], [f("a", [2, 3])], [f("y", None)]),
     "lterr_einsum_rank.onnx")
save(g([n("Slice", ["x", "s", "e", "a", "st"], ["y"])], [f("x", [4])], [f("y", None)],
       [i64("s", [0]), i64("e", [4]), i64("a", [0]), i64("st", [0])]), "lterr_slice_step0.onnx")
save(g([n("Slice", ["x", "s", "e", "a"], ["y"])], [f("x", [4]), v("a", T.INT64, [1])],
       [f("y", None)], [i64("s", [0]), i64("e", [4])]), "lterr_slice_runtime.onnx")
save(g([n("Split", ["x", "sp"], ["a", "b"], axis=0)], [f("x", [4])], [f("a", None), f("b", None)],
       [i64("sp", [1, 2])]), "lterr_split_sizes.onnx")
save(g([n("Where", ["c", "x", "y"], ["z"])], [f("c", [2]), f("x", [2]), f("y", [2])],
       [f("z", None)]), "lterr_where_cond.onnx")
save(g([n("Mod", ["x", "y"], ["z"])], [f("x", [2]), f("y", [2])], [f("z", None)]),
     "lterr_mod_fmod.onnx")
save(g([n("Resize", ["x", "", "sc"], ["y"], mode="linear",
          coordinate_transformation_mode="tf_crop_and_resize")],
       [f("x", [1, 1, 2, 2])], [f("y", None)], [ft("sc", [1, 1, 2, 2])]),
     "lterr_resize_crop.onnx")
save(g([n("Resize", ["x", "", "sc"], ["y"], mode="area")],
       [f("x", [1, 1, 2, 2])], [f("y", None)], [ft("sc", [1, 1, 2, 2])]),
     "lterr_resize_mode.onnx")
save(g([n("NonZero", ["x"], ["y"])], [f("x", [])], [v("y", T.INT64, None)]),
     "lterr_nonzero.onnx")
save(g([n("Expand", ["x", "s"], ["y"])], [f("x", [3])], [f("y", None)], [i64("s", [2, 4])]),
     "lterr_expand_shape.onnx")
save(g([n("ScatterND", ["x", "i", "u"], ["y"])], [f("x", [4])], [f("y", None)],
       [i64("i", [[0], [1]]), ft("u", [1.0, 2.0, 3.0])]), "lterr_scatternd_updates.onnx")
save(g([n("ConvTranspose", ["x", "w"], ["y"])], [f("x", [1, 1, 2, 2]), f("w", [1, 1, 2, 2])],
       [f("y", None)]), "lterr_convtranspose_runtime_w.onnx")
save(g([n("Abs", ["x"], ["y"])], [b1("x", [2])], [b1("y", None)]), "lterr_abs_bool.onnx")
save(g([n("ReduceMean", ["x", "a"], ["y"])], [f("x", [2, 3])], [f("y", None)], [i64("a", [2])],
       opset=18), "lterr_reduce_axis.onnx")
save(g([n("OneHot", ["i", "d", "v"], ["y"])], [v("i", T.INT64, [3])], [f("y", None)],
       [ft("d", float("nan")), ft("v", [0.0, 1.0])]), "lterr_onehot_depth.onnx")


# The long tail in one graph (import-onnx-long-tail.test): which upstream
# ops each ONNX op becomes.
def long_tail():
    rng = np.random.default_rng(1)
    then_g = helper.make_graph([helper.make_node("Neg", ["e"], ["t_out"], name="neg")],
                               "then", [], [f("t_out", [2, 3])])
    else_g = helper.make_graph([helper.make_node("Identity", ["e"], ["e_out"], name="ident")],
                               "else", [], [f("e_out", [2, 3])])
    nodes = [
        helper.make_node("Erf", ["x"], ["e"], name="erf"),
        helper.make_node("ReduceMean", ["e", "axes"], ["m"], name="mean", keepdims=1),
        helper.make_node("Greater", ["e", "m"], ["gt"], name="gt"),
        helper.make_node("Where", ["gt", "e", "m"], ["w"], name="where"),
        helper.make_node("Slice", ["w", "st", "en", "ax", "sp"], ["s"], name="rev"),
        helper.make_node("If", ["c"], ["i"], name="branch", then_branch=then_g,
                         else_branch=else_g),
        helper.make_node("LSTM", ["seq", "W", "R"], ["", "h"], name="lstm", hidden_size=4),
        helper.make_node("Resize", ["img", "", "scales"], ["up"], name="resize", mode="linear"),
    ]
    inits = [i64("axes", [1]), i64("st", [-1]), i64("en", [-100]), i64("ax", [1]),
             i64("sp", [-1]),
             ft("W", rng.standard_normal((1, 16, 3))), ft("R", rng.standard_normal((1, 16, 4))),
             ft("scales", [1, 1, 2, 2])]
    ins = [f("x", [2, 3]), b1("c", []), f("seq", [5, 2, 3]), f("img", [1, 1, 2, 2])]
    outs = [f("s", None), f("i", None), f("h", None), f("up", None)]
    return g(nodes, ins, outs, inits, opset=18)


save(long_tail(), "long_tail_ops.onnx")


# More long-tail errors: control flow, com.microsoft, opset 21.
def loop_body(cond_from_data=False):
    nodes = [helper.make_node("Identity", ["v_in"], ["v_out"])]
    if cond_from_data:
        nodes.append(helper.make_node("ReduceSum", ["v_in"], ["s"], keepdims=0))
        nodes.append(helper.make_node("Less", ["s", "ten"], ["c_out"]))
    else:
        nodes.append(helper.make_node("Identity", ["c_in"], ["c_out"]))
    return helper.make_graph(
        nodes, "body",
        [helper.make_tensor_value_info("i", T.INT64, []), b1("c_in", []), f("v_in", [2])],
        [b1("c_out", []), f("v_out", [2])], [ft("ten", 10.0)])


save(g([n("Loop", ["m", "", "x"], ["y"], body=loop_body())],
       [f("x", [2]), v("m", T.INT64, [])], [f("y", [2])]), "lterr_loop_runtime_trips.onnx")
save(g([n("Loop", ["m", "", "x"], ["y"], body=loop_body(True))], [f("x", [2])], [f("y", [2])],
       [i64("m", 5)]), "lterr_loop_data_cond.onnx")
then_r1 = helper.make_graph([helper.make_node("Identity", ["x"], ["t"])], "t", [], [f("t", [2])])
else_r2 = helper.make_graph([helper.make_node("Unsqueeze", ["x", "ax"], ["e"])], "e", [],
                            [f("e", [1, 2])], [i64("ax", [0])])
save(g([n("If", ["c"], ["y"], then_branch=then_r1, else_branch=else_r2)],
       [b1("c", []), f("x", [2])], [f("y", None)]), "lterr_if_ranks.onnx")
ms_node = helper.make_node("QAttention", ["x"], ["y"], name="the_node", domain="com.microsoft")
save(helper.make_model(helper.make_graph([ms_node], "g", [f("x", [2])], [f("y", [2])]),
                       opset_imports=[helper.make_opsetid("", 17),
                                      helper.make_opsetid("com.microsoft", 1)]),
     "lterr_microsoft_op.onnx")
save(g([n("Pad", ["x", "p", "", "a"], ["y"])], [f("x", [2, 2])], [f("y", None)],
       [i64("p", [1, 1, 1, 1]), i64("a", [1])], opset=18), "lterr_pad_axes.onnx")
save(g([n("Conv", ["x", "w"], ["y"])], [f("x", [4])], [f("y", None)], [ft("w", [1.0])]),
     "lterr_conv_rank.onnx")


def unsorted():
    """Nodes listed in reverse (ONNX allows any order of a DAG; converters
    such as onnxconverter-common write Casts after their readers), with an
    If branch reading an outer value produced by a node listed after it."""
    then_b = helper.make_graph([helper.make_node("Identity", ["r"], ["t"])], "t", [], [f("t", [2])])
    else_b = helper.make_graph([helper.make_node("Neg", ["r"], ["e"])], "e", [], [f("e", [2])])
    nodes = [
        helper.make_node("Add", ["i", "r"], ["y"], name="last_add"),
        helper.make_node("If", ["c"], ["i"], name="the_if", then_branch=then_b, else_branch=else_b),
        helper.make_node("Greater", ["s", "zero"], ["c"], name="positive"),
        helper.make_node("ReduceSum", ["r"], ["s"], name="sum", keepdims=0),
        helper.make_node("Relu", ["x"], ["r"], name="first_relu"),
    ]
    return g(nodes, [f("x", [2])], [f("y", [2])], [ft("zero", 0.0)])


save(unsorted(), "unsorted_nodes.onnx")
save(g([helper.make_node("Relu", ["b"], ["a"], name="relu_a"),
        helper.make_node("Relu", ["a"], ["b"], name="relu_b"),
        helper.make_node("Identity", ["a"], ["y"], name="out")], [f("x", [2])], [f("y", [2])]),
     "err_cycle.onnx")

# Ops of the broad conformance list: their refusals.
save(single("GridSample", 16, [f("x", [1, 1, 2, 2, 2]), f("g", [1, 2, 2, 2, 3])],
            [f("y", [1, 1, 2, 2, 2])]), "err_gridsample_5d.onnx")
save(single("NegativeLogLikelihoodLoss", 13, [f("x", [2, 3]), v("t", T.INT64, [2, 1])],
            [f("y", [])]), "err_nll_target_rank.onnx")
save(single("BitShift", 11, [v("a", T.INT32, [2]), v("b", T.INT32, [2])],
            [v("y", T.INT32, [2])], direction="LEFT"), "err_bitshift_signed.onnx")
save(single("HannWindow", 17, [v("n", T.INT64, [])], [f("y", ["N"])]),
     "err_window_runtime.onnx")
save(single("ReverseSequence", 10, [f("x", [2, 3, 4]), v("l", T.INT64, [3])],
            [f("y", [2, 3, 4])], time_axis=0, batch_axis=2), "err_reversesequence_axes.onnx")
save(single("Compress", 11, [f("x", [3, 2]), v("c", T.BOOL, [4])], [f("y", ["K", 2])], axis=0),
     "err_compress_long.onnx")
ms = helper.make_node("MatMulIntegerToFloat", ["a", "b", "sa", "sb"], ["y"], name="the_node",
                      domain="com.microsoft")
save(helper.make_model(helper.make_graph(
    [ms], "g", [v("a", T.UINT8, [2, 4]), v("b", T.INT8, [4, 3])], [f("y", [2, 3])],
    [ft("sa", 0.1), ft("sb", 0.2)]),
    opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)]),
    "err_matmulintegertofloat_b_runtime.onnx")
save(single("MaxUnpool", 11, [f("x", [1, 1, 2, 2]), v("i", T.INT64, [1, 1, 2, 2])], [f("y", [1, 1, 3, 3])],
            [i64("s", [1, 1, 3, 3])], kernel_shape=[2, 2], strides=[2, 2]),
     "err_maxunpool_small.onnx")
save(single("GridSample", 16, [f("x", [1, 1, 2, 2]), f("g", [1, 2, 2, 2])], [f("y", [1, 1, 2, 2])],
            mode="area"), "err_gridsample_mode.onnx")
save(single("NegativeLogLikelihoodLoss", 13, [f("x", [2, 3]), v("t", T.INT64, [2])], [f("y", [])],
            reduction="max"), "err_nll_reduction.onnx")
save(single("BitShift", 11, [v("a", T.UINT8, [2]), v("b", T.UINT8, [2])], [v("y", T.UINT8, [2])],
            direction="UP"), "err_bitshift_direction.onnx")
save(single("Compress", 11, [f("x", [3, 2]), v("c", T.INT64, [3])], [f("y", ["K", 2])], axis=0),
     "err_compress_condition.onnx")
ms = helper.make_node("MatMulIntegerToFloat", ["a", "b", "sa", "sb"], ["y"], name="the_node",
                      domain="com.microsoft")
save(helper.make_model(helper.make_graph(
    [ms], "g", [v("a", T.UINT8, [2, 4])], [f("y", [2, 3])],
    [numpy_helper.from_array(np.ones((4, 3), np.int8), "b"), ft("sa", 0.1), ft("sb", [0.2, 0.3])]),
    opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)]),
    "err_matmulintegertofloat_bscale.onnx")

# Block-quantized weights: blocked DequantizeLinear and MatMulNBits.
i8t = lambda n, a: numpy_helper.from_array(np.array(a, np.int8), n)
save(single("DequantizeLinear", 21, [], [f("y", [64, 4])],
            [i8t("q", np.ones((64, 4))), ft("s", np.ones((3, 4)))], axis=0, block_size=32),
     "err_dq_block_scale.onnx")
save(single("DequantizeLinear", 21, [], [f("y", [64, 4])],
            [numpy_helper.from_array(np.ones((64, 4), np.int16), "q"), ft("s", np.ones((2, 4)))],
            axis=0, block_size=32), "err_dq_block_type.onnx")
short4 = onnx.TensorProto()
short4.name, short4.data_type = "q", 22  # INT4: 3 values need 2 bytes
short4.dims.extend([3])
short4.raw_data = b"\x21"
save(single("DequantizeLinear", 21, [], [f("y", [3])], [short4, ft("s", [1.0])], axis=0,
            block_size=4), "err_int4_short.onnx")


def nbits(name, b, extra_inputs=(), extra_inits=(), a_type=TensorProto.FLOAT,
          scales=(0.1, 0.2), **attrs):
    attrs = dict(dict(K=32, N=2, bits=4, block_size=32), **attrs)
    node = helper.make_node("MatMulNBits", ["a", "b", "s"] + list(extra_inputs), ["y"],
                            name="the_node", domain="com.microsoft", **attrs)
    inputs = [helper.make_tensor_value_info("a", a_type, [1, 32])]
    inits = [ft("s", list(scales))] + list(extra_inits)
    if b is None:  # B computed at run time
        inputs.append(helper.make_tensor_value_info("b", TensorProto.UINT8, [2, 1, 16]))
    else:
        inits.insert(0, numpy_helper.from_array(np.array(b, np.uint8), "b"))
    save(helper.make_model(helper.make_graph(
        [node], "g", inputs, [f("y", [1, 2])], inits),
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]),
        name)


nbits("err_nbits_bits.onnx", np.zeros((2, 1, 12)), bits=3)
nbits("err_nbits_b_size.onnx", np.zeros((2, 1, 8)))
nbits("err_nbits_gidx.onnx", np.zeros((2, 1, 16)), ["", "g"],
      [numpy_helper.from_array(np.arange(32, dtype=np.int32) % 2, "g")])
nbits("err_nbits_zp_float.onnx", np.zeros((2, 1, 16)), ["z"], [ft("z", [8.0, 8.0])])
nbits("err_nbits_k.onnx", np.zeros((2, 1, 8)), K=16, block_size=16)
nbits("err_nbits_bias.onnx", np.zeros((2, 1, 16)), ["", "", "bias"], [ft("bias", [0.0, 0.0, 0.0])])
nbits("err_nbits_zero_k.onnx", np.zeros((2, 1, 16)), K=0)
nbits("err_nbits_huge.onnx", np.zeros((2, 1, 16)), K=1 << 32)
nbits("err_nbits_block_bytes.onnx", np.zeros((2, 1, 16)), block_size=3)
nbits("err_nbits_f64.onnx", np.zeros((2, 1, 16)), a_type=TensorProto.DOUBLE)
nbits("err_nbits_b_runtime.onnx", None)
nbits("err_nbits_scales.onnx", np.zeros((2, 1, 16)), scales=(0.1, 0.2, 0.3))
nbits("err_nbits_zp_count.onnx", np.zeros((2, 1, 16)), ["z"],
      [numpy_helper.from_array(np.full(3, 0x88, np.uint8), "z")])
save(single("DequantizeLinear", 21, [], [f("y", [64, 4])],
            [i8t("q", np.ones((64, 4))), ft("s", np.ones((2, 4)))], axis=0, block_size=-1),
     "err_dq_block_negative.onnx")
save(single("DequantizeLinear", 21, [], [f("y", [64, 4])],
            [i8t("q", np.ones((64, 4))), ft("s", np.ones(8))], axis=0, block_size=32),
     "err_dq_block_scale_rank.onnx")
save(single("DequantizeLinear", 21, [], [f("y", [64, 4])],
            [i8t("q", np.ones((64, 4))), ft("s", np.ones((2, 4)))], axis=2, block_size=32),
     "err_dq_block_axis.onnx")
save(single("DequantizeLinear", 21, [], [f("y", [64, 4])],
            [i8t("q", np.ones((64, 4))), ft("s", np.ones((2, 4))),
             numpy_helper.from_array(np.zeros((2, 4), np.uint8), "z")], axis=0, block_size=32),
     "err_dq_block_zp.onnx")
save(single("DequantizeLinear", 21, [helper.make_tensor_value_info("q", TensorProto.INT8, [64, 4]),
                                     helper.make_tensor_value_info("s", TensorProto.FLOAT16, [2, 4])],
            [f("y", [64, 4])], axis=0, block_size=32),
     "err_dq_block_scale_runtime.onnx")
