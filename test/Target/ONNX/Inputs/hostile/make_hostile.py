#!/usr/bin/env python3
"""Regenerates the hostile and malformed ONNX models of the reliability tests.

Each file is the smallest model that showed one crash, escape or unbounded
resource use (see test/Target/ONNX/import-onnx-hostile.test and
test/Execution/hostile-models.test). Needs Debian's python3-onnx; the outputs
are committed. Run from this directory: /usr/bin/python3 make_hostile.py
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
i8 = lambda n, s: helper.make_tensor_value_info(n, TensorProto.INT8, s)


def model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "g", list(inputs), list(outputs), list(inits))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def save(m, name):
    # No checker: most of these models are invalid on purpose.
    open(name, "wb").write(m.SerializeToString())


def external(name, location, offset=None, length=None, dims=(4,)):
    t = TensorProto()
    t.name = name
    t.data_type = TensorProto.FLOAT
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value=location)
    if offset is not None:
        t.external_data.add(key="offset", value=offset)
    if length is not None:
        t.external_data.add(key="length", value=length)
    return t


def add_with(init):
    return model([helper.make_node("Add", ["x", init.name], ["y"], name="the_node")],
                 [f("x", [4])], [f("y", [4])], [init])


# 1. External data that escapes the model's directory, or is not a file.
save(add_with(external("w", "../../../../../../../../etc/passwd")), "ext_dotdot.onnx")
save(add_with(external("w", "/etc/passwd")), "ext_absolute.onnx")
save(add_with(external("w", "/dev/zero")), "ext_devzero.onnx")
save(add_with(external("w", "sub/../w.bin")), "ext_dotdot_inside.onnx")
# The test places a symlink named link.bin next to it (to /etc/passwd).
save(add_with(external("w", "link.bin")), "ext_symlink.onnx")
# Offsets and lengths that are not numbers, negative, or overflow the check.
save(add_with(external("w", "w.bin", offset="abc")), "ext_offset_nan.onnx")
save(add_with(external("w", "w.bin", offset="-8")), "ext_offset_negative.onnx")
save(add_with(external("w", "w.bin", offset="9223372036854775800", length="16")),
     "ext_offset_overflow.onnx")
save(add_with(external("w", "w.bin", length="99999999999999999999999")),
     "ext_length_huge.onnx")
save(add_with(external("w", "w.bin", offset="4", length="16")), "ext_ok_offset.onnx")
np.arange(8, dtype=np.float32).tofile("w.bin")  # 32 bytes

# 3. Malformed nodes.
save(model([helper.make_node("Relu", ["x"], [], name="the_node")],
           [f("x", [4])], [f("x", [4])]), "node_no_outputs.onnx")
save(model([helper.make_node("Add", ["x", ""], ["y"], name="the_node")],
           [f("x", [4])], [f("y", [4])]), "node_empty_input.onnx")
save(model([helper.make_node("Concat", ["x", "", "x"], ["y"], name="the_node", axis=0)],
           [f("x", [4])], [f("y", [8])]), "concat_empty_input.onnx")
w = numpy_helper.from_array(np.ones((2, 3), np.float32), "w")
save(model([helper.make_node("Gemm", ["a", "w"], ["y"], name="the_node", transB=1)],
           [i8("a", [1, 3])], [f("y", [1, 2])], [w]), "gemm_int_input_float_weight.onnx")
cw = numpy_helper.from_array(np.ones((2, 1, 1, 1), np.float32), "w")
save(model([helper.make_node("Conv", ["a", "w"], ["y"], name="the_node")],
           [i8("a", [1, 1, 2, 2])], [f("y", [1, 2, 2, 2])], [cw]), "conv_int_input_float_weight.onnx")

# 4. Sizes that overflow or are absurd.
huge = TensorProto()
huge.name = "w"
huge.data_type = TensorProto.FLOAT
huge.dims.extend([2 ** 32, 2 ** 32])
save(model([helper.make_node("Identity", ["w"], ["y"], name="the_node")],
           [], [f("y", [2 ** 32, 2 ** 32])], [huge]), "init_dims_overflow.onnx")
kw = numpy_helper.from_array(np.ones((1, 1, 1, 1), np.float32), "w")
save(model([helper.make_node("Conv", ["x", "w"], ["y"], name="the_node",
                             pads=[2 ** 40, 2 ** 40, 2 ** 40, 2 ** 40])],
           [f("x", [1, 1, 4, 4])], [f("y", None)], [kw]), "conv_huge_pads.onnx")
save(model([helper.make_node("MaxPool", ["x"], ["y"], name="the_node",
                             kernel_shape=[2 ** 31, 2 ** 31])],
           [f("x", [1, 1, 4, 4])], [f("y", None)]), "maxpool_huge_kernel.onnx")
save(model([helper.make_node("MaxPool", ["x"], ["y"], name="the_node",
                             kernel_shape=[2, 2], strides=[0, 1])],
           [f("x", [1, 1, 4, 4])], [f("y", None)]), "maxpool_zero_stride.onnx")
save(model([helper.make_node("Conv", ["x", "w"], ["y"], name="the_node",
                             kernel_shape=[1, 1], auto_pad="SAME_UPPER",
                             strides=[2 ** 62, 2 ** 62])],
           [f("x", [1, 1, 4, 4])], [f("y", None)], [kw]), "conv_autopad_overflow.onnx")
save(model([helper.make_node("Flatten", ["x"], ["y"], name="the_node", axis=2)],
           [f("x", [2 ** 31, 2 ** 31, 2 ** 31, 2])], [f("y", None)]), "flatten_overflow.onnx")

save(model([helper.make_node("Concat", ["x", "x"], ["y"], name="the_node", axis=1)],
           [f("x", [0, 2 ** 62 + 1])], [f("y", None)]), "concat_dim_overflow.onnx")

save(model([helper.make_node("Pad", ["x", "pads"], ["y"], name="the_node")],
           [f("x", [0, 2 ** 62])], [f("y", None)],
           [numpy_helper.from_array(np.array([0, 2 ** 62, 0, 2 ** 62], np.int64), "pads")]),
     "pad_dim_overflow.onnx")
# Folded integer arithmetic on constants that broadcast both ways ([3,1] *
# [1,3]) read past the operands; it now runs at run time.
save(model([helper.make_node("Mul", ["a", "b"], ["y"], name="the_node")],
           [], [helper.make_tensor_value_info("y", TensorProto.INT64, [3, 3])],
           [numpy_helper.from_array(np.array([[1], [2], [3]], np.int64), "a"),
            numpy_helper.from_array(np.array([[4, 5, 6]], np.int64), "b")]),
     "mul_const_broadcast.onnx")

u8 = lambda n, s: helper.make_tensor_value_info(n, TensorProto.UINT8, s)
save(model([helper.make_node("MatMulInteger", ["a", "b"], ["y"], name="the_node")],
           [u8("a", [2, 3])], [helper.make_tensor_value_info("y", TensorProto.INT32, None)],
           [numpy_helper.from_array(np.array(3, np.uint8), "b")]), "matmulinteger_scalar.onnx")
# A DequantizeLinear whose scale is a 2^31-element splat (from
# ConstantOfShape): the splat is not expanded.
save(model([helper.make_node("ConstantOfShape", ["shape"], ["s"], name="fill",
                             value=numpy_helper.from_array(np.array([0.5], np.float32))),
            helper.make_node("DequantizeLinear", ["x", "s"], ["y"], name="the_node", axis=0)],
           [u8("x", [4])], [f("y", [4])],
           [numpy_helper.from_array(np.array([2 ** 31], np.int64), "shape")]),
     "dequantize_huge_splat_scale.onnx")

save(model([helper.make_node("Unsqueeze", ["x", "axes"], ["y"], name="the_node")],
           [f("x", [2, 3])], [f("y", None)],
           [numpy_helper.from_array(np.array([0, 0], np.int64), "axes")]),
     "unsqueeze_repeated_axes.onnx")
save(model([helper.make_node("MatMulInteger", ["a", "b", "azp"], ["y"], name="the_node")],
           [u8("a", [2, 3])], [helper.make_tensor_value_info("y", TensorProto.INT32, None)],
           [numpy_helper.from_array(np.ones((3, 2), np.uint8), "b"),
            numpy_helper.from_array(np.array(0.5, np.float32), "azp")]),
     "matmulinteger_float_zp.onnx")

# 5. Unbounded resources: a tiny model asking for 2^28 (1 GiB) and 2^40
# element tensors.
shape28 = numpy_helper.from_array(np.array([2 ** 28], np.int64), "shape")
save(model([helper.make_node("ConstantOfShape", ["shape"], ["z"], name="fill",
                             value=numpy_helper.from_array(np.array([1.5], np.float32))),
            helper.make_node("Cast", ["z"], ["c"], name="cast", to=TensorProto.INT32),
            helper.make_node("Cast", ["c"], ["y"], name="the_node", to=TensorProto.FLOAT)],
           [], [f("y", [2 ** 28])], [shape28]), "constantofshape_cast_big.onnx")
shape40 = numpy_helper.from_array(np.array([2 ** 20, 2 ** 20], np.int64), "shape")
save(model([helper.make_node("ConstantOfShape", ["shape"], ["z"], name="fill",
                             value=numpy_helper.from_array(np.array([1.5], np.float32))),
            helper.make_node("Add", ["x", "z"], ["y"], name="the_node")],
           [f("x", [1, 1])], [f("y", [2 ** 20, 2 ** 20])], [shape40]), "output_2e40.onnx")

# Folding Gather is bounded too: from a splat of 2^21 elements, and to
# 2000 x 1024 elements.
def fill(name, dims, value, dtype=np.float32):
    return helper.make_node("ConstantOfShape", [name + "_shape"], [name], name=name,
                            value=numpy_helper.from_array(np.array([value], dtype)))
save(model([fill("data", None, 1.0), fill("idx", None, 0, np.int64),
            helper.make_node("Gather", ["data", "idx"], ["y"], name="the_node", axis=0)],
           [], [f("y", None)],
           [numpy_helper.from_array(np.array([2048, 1024], np.int64), "data_shape"),
            numpy_helper.from_array(np.array([3], np.int64), "idx_shape")]),
     "gather_big_data.onnx")
save(model([fill("data", None, 1.0), fill("idx", None, 0, np.int64),
            helper.make_node("Gather", ["data", "idx"], ["y"], name="the_node", axis=0)],
           [], [f("y", None)],
           [numpy_helper.from_array(np.array([2, 1024], np.int64), "data_shape"),
            numpy_helper.from_array(np.array([2000], np.int64), "idx_shape")]),
     "gather_big_result.onnx")

# 2. Calibration of a batch-1 model, and of a model that lists one tensor
# twice as a graph output.
rng = np.random.default_rng(0)
cw3 = numpy_helper.from_array(rng.standard_normal((4, 1, 3, 3)).astype(np.float32), "cw")
cb3 = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "cb")
fw = numpy_helper.from_array(rng.standard_normal((3, 4)).astype(np.float32), "fw")
fb = numpy_helper.from_array(rng.standard_normal(3).astype(np.float32), "fb")
shape = numpy_helper.from_array(np.array([1, 4], np.int64), "shape")
batch1 = [
    helper.make_node("Conv", ["x", "cw", "cb"], ["c"], name="conv", pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["r"], name="relu"),
    helper.make_node("GlobalAveragePool", ["r"], ["p"], name="gap"),
    helper.make_node("Reshape", ["p", "shape"], ["flat"], name="flatten"),
    helper.make_node("Gemm", ["flat", "fw", "fb"], ["y"], name="fc", transB=1),
]
save(model(batch1, [f("x", [1, 1, 6, 6])], [f("y", [1, 3])], [cw3, cb3, fw, fb, shape]),
     "batch1_cnn.onnx")
save(model(batch1, [f("x", ["N", 1, 6, 6])], [f("y", ["N", 3]), f("y", ["N", 3]), f("r", ["N", 4, 6, 6])],
           [cw3, cb3, fw, fb, numpy_helper.from_array(np.array([-1, 4], np.int64), "shape")]),
     "repeated_outputs.onnx")
np.save("batch1_x.npy", rng.standard_normal((3, 1, 6, 6)).astype(np.float32))

# 3. Control flow nested 20 deep: each Loop imports its body twice, so depth
# would cost exponentially; the importer stops at 12.
def nested_loop(depth):
    inner = helper.make_graph(
        [helper.make_node("Identity", ["c_in"], ["c_out"]),
         helper.make_node("Identity", ["v_in"], ["v_out"]),
         helper.make_node("Identity", ["v_in"], ["s_out"])],
        "b0", [helper.make_tensor_value_info("i", TensorProto.INT64, []),
               helper.make_tensor_value_info("c_in", TensorProto.BOOL, []), f("v_in", [2])],
        [helper.make_tensor_value_info("c_out", TensorProto.BOOL, []), f("v_out", [2]),
         f("s_out", [2])])
    for d in range(depth):
        inner = helper.make_graph(
            [helper.make_node("Identity", ["c_in"], ["c_out"]),
             helper.make_node("Loop", ["M", "T", "v_in"], ["v_out", "s_out"], body=inner)],
            "b%d" % (d + 1),
            [helper.make_tensor_value_info("i", TensorProto.INT64, []),
             helper.make_tensor_value_info("c_in", TensorProto.BOOL, []), f("v_in", [2])],
            [helper.make_tensor_value_info("c_out", TensorProto.BOOL, []), f("v_out", [2]),
             f("s_out", None)])
    return model([helper.make_node("Loop", ["M", "T", "x"], ["y", "ys"], name="the_node", body=inner)],
                 [f("x", [2])], [f("y", [2]), f("ys", None)],
                 [numpy_helper.from_array(np.array(2, np.int64), "M"),
                  numpy_helper.from_array(np.array(True), "T")])


save(nested_loop(20), "loop_nested_20.onnx")
