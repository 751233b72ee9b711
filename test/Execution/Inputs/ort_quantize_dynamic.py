#!/usr/bin/env python3
"""Rewrites a float ONNX model the way ONNX Runtime's quantize_dynamic does
(onnxruntime.quantization, default options), for machines without the ORT
Python package: every Conv and every MatMul with a constant second input
becomes

  x -> DynamicQuantizeLinear -> (x_q, x_scale, x_zp)       (one per tensor)
  ConvInteger / MatMulInteger(x_q, w_q, x_zp[, w_zp]) -> int32
  Cast(float) ; Mul(x_scale, w_scale) ; Mul ; Add(bias)

with int8 weights quantized symmetrically per tensor (zero point 0, scale
2 max|w| / 255), or uint8 weights with a zero point (--weight-type uint8,
ORT's QUInt8: scale (max - min) / 255 over a range that includes 0).
Gemm and everything else stay float, as in ORT.

  ort_quantize_dynamic.py IN.onnx OUT.onnx [--weight-type int8|uint8]
"""
import argparse

import numpy as np
import onnx
import onnx.version_converter
from onnx import TensorProto as T, helper, numpy_helper


def quantize_weight(w, weight_type):
    w = w.astype(np.float32)
    if weight_type == "int8":
        absmax = float(np.abs(w).max())
        scale = np.float32(2 * absmax / 255 if absmax > 0 else 1.0)
        q = np.clip(np.round(w / scale), -128, 127).astype(np.int8)
        return q, scale, np.int8(0)
    lo, hi = min(0.0, float(w.min())), max(0.0, float(w.max()))
    scale = np.float32((hi - lo) / 255 if hi > lo else 1.0)
    zp = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
    q = np.clip(np.round(w / scale) + zp, 0, 255).astype(np.uint8)
    return q, scale, zp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--weight-type", choices=["int8", "uint8"], default="int8")
    args = ap.parse_args()
    m = onnx.load(args.input)
    # As ORT does: a model below opset 11 is first converted to opset 11.
    if any(o.domain in ("", "ai.onnx") and o.version < 11 for o in m.opset_import):
        m = onnx.version_converter.convert_version(m, 11)
    g = m.graph
    # Constant nodes holding weights (Paddle's exports) count as initializers.
    for n in list(g.node):
        if n.op_type == "Constant" and len(n.attribute) == 1 and n.attribute[0].name == "value":
            t = onnx.TensorProto()
            t.CopyFrom(n.attribute[0].t)
            t.name = n.output[0]
            g.initializer.append(t)
            g.node.remove(n)
    inits = {i.name: i for i in g.initializer}
    nodes, quantized = [], {}
    new_inits = []

    def dql(name):
        if name not in quantized:
            base = name.replace("/", "_").strip("_") or "x"
            outs = [base + "_q", base + "_scale", base + "_zp"]
            nodes.append(helper.make_node("DynamicQuantizeLinear", [name], outs,
                                          name=base + "_QuantizeLinear"))
            quantized[name] = outs
        return quantized[name]

    for n in g.node:
        is_conv = n.op_type == "Conv" and n.input[1] in inits
        is_matmul = n.op_type == "MatMul" and n.input[1] in inits
        if not (is_conv or is_matmul):
            nodes.append(n)
            continue
        w = numpy_helper.to_array(inits[n.input[1]])
        q, scale, zp = quantize_weight(w, args.weight_type)
        wname = n.input[1] + "_quantized"
        new_inits += [numpy_helper.from_array(q, wname),
                      numpy_helper.from_array(np.asarray(scale), wname + "_scale"),
                      numpy_helper.from_array(np.asarray(zp), wname + "_zero_point")]
        xq, xs, xzp = dql(n.input[0])
        out = n.output[0]
        acc, accf, mult = out + "_output_quantized", out + "_output_quantized_cast", out + "_scales_mul"
        ints = [xq, wname, xzp, wname + "_zero_point"]
        if is_conv:
            attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
            nodes.append(helper.make_node("ConvInteger", ints, [acc], name=n.name + "_quant", **attrs))
        else:
            nodes.append(helper.make_node("MatMulInteger", ints, [acc], name=n.name + "_quant"))
        nodes.append(helper.make_node("Cast", [acc], [accf], to=T.FLOAT, name=n.name + "_cast"))
        nodes.append(helper.make_node("Mul", [xs, wname + "_scale"], [mult], name=n.name + "_scales_mul"))
        has_bias = is_conv and len(n.input) > 2 and n.input[2]
        scaled = out + "_output_scaled" if has_bias else out
        nodes.append(helper.make_node("Mul", [accf, mult], [scaled], name=n.name + "_output_scale_mul"))
        if has_bias:
            b = numpy_helper.to_array(inits[n.input[2]]).astype(np.float32)
            bname = n.input[2] + "_reshaped"
            new_inits.append(numpy_helper.from_array(b.reshape(-1, 1, 1), bname))
            nodes.append(helper.make_node("Add", [scaled, bname], [out], name=n.name + "_bias_add"))
    del g.node[:]
    g.node.extend(nodes)
    used = {i for n in nodes for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    onnx.checker.check_model(m)
    onnx.save(m, args.output)


if __name__ == "__main__":
    main()
