#!/usr/bin/env python3
"""ONNX's LayerNormalization conformance cases with the Y output only.

  layer_norm_cases.py NODE_DIR OUTDIR

ONNX's node tests ask for Y, Mean and InvStdDev, which the importer builds
from reductions; with Y alone it emits qnn.layer_norm. For every
layer_normalization_* case (not the _expanded ones) this writes
OUTDIR/<case>.onnx with the one output and <case>_in<i>.npy / <case>_y.npy
from the case's data set 0, and prints the case names.
"""
import glob
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

node_dir, out = sys.argv[1], sys.argv[2]
for case in sorted(glob.glob(os.path.join(node_dir, "test_layer_normalization_*"))):
    name = os.path.basename(case)[len("test_"):]
    if name.endswith("_expanded"):
        continue
    model = onnx.load(os.path.join(case, "model.onnx"))
    g = model.graph
    node = g.node[0]
    del node.output[1:]
    del g.output[1:]
    onnx.save(model, os.path.join(out, name + ".onnx"))
    data = os.path.join(case, "test_data_set_0")
    for i in range(len(g.input)):
        t = onnx.TensorProto()
        t.ParseFromString(open(os.path.join(data, "input_%d.pb" % i), "rb").read())
        np.save(os.path.join(out, "%s_in%d.npy" % (name, i)), numpy_helper.to_array(t))
    t = onnx.TensorProto()
    t.ParseFromString(open(os.path.join(data, "output_0.pb"), "rb").read())
    np.save(os.path.join(out, name + "_y.npy"), numpy_helper.to_array(t))
    print(name)
