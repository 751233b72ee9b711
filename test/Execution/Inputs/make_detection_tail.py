#!/usr/bin/env python3
"""Writes detection_tail.onnx, the post-processing of a one-class detector
as exporters write it: TopK of the scores, the candidate boxes gathered,
NonMaxSuppression (at most 40 boxes, IoU 0.3, score 0.2), the kept boxes and
scores gathered by the selected indices and scaled to pixels; outputs boxes
[K, 4], scores [K] and the selected indices [K, 3], K known only at run time.
Also detection_boxes.npy [1, 200, 4] (clusters of overlapping boxes, corners
in any diagonal order) and detection_scores.npy [1, 200] (distinct values).
detection_bad_{reduce,shape}.onnx read the selected indices in ways
that would mix padding into values (errors). ONNX Runtime 1.30's outputs on them are detection_ort_{boxes,scores,
selected}.npy (kit/ort's onnxruntime-node). Run with /usr/bin/python3 from
this directory."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
n, k = 200, 64
centers = rng.uniform(0.1, 0.9, (12, 2))
pick = rng.integers(0, 12, n)
c = centers[pick] + rng.normal(0, 0.02, (n, 2))
size = rng.uniform(0.05, 0.15, (n, 2))
y1, x1 = c[:, 0] - size[:, 0] / 2, c[:, 1] - size[:, 1] / 2
y2, x2 = c[:, 0] + size[:, 0] / 2, c[:, 1] + size[:, 1] / 2
flip = rng.random(n) < 0.3  # the other diagonal for some boxes
boxes = np.stack([np.where(flip, y2, y1), np.where(flip, x2, x1),
                  np.where(flip, y1, y2), np.where(flip, x1, x2)], 1)
scores = rng.permutation(n).astype(np.float32) / n
np.save("detection_boxes.npy", boxes[None].astype(np.float32))
np.save("detection_scores.npy", scores[None])

i64 = lambda name, v: numpy_helper.from_array(np.array(v, np.int64), name)
f32 = lambda name, v: numpy_helper.from_array(np.array(v, np.float32), name)
nodes = [
    helper.make_node("TopK", ["scores", "k"], ["top_scores", "top_idx"], axis=1, name="topk"),
    helper.make_node("Squeeze", ["boxes", "ax0"], ["boxes2"], name="boxes_2d"),
    helper.make_node("Squeeze", ["top_idx", "ax0"], ["idx"], name="idx_1d"),
    helper.make_node("Gather", ["boxes2", "idx"], ["cand"], axis=0, name="candidates"),
    helper.make_node("Unsqueeze", ["cand", "ax0"], ["cand3"], name="cand_3d"),
    helper.make_node("Unsqueeze", ["top_scores", "ax1"], ["scores3"], name="scores_3d"),
    helper.make_node("NonMaxSuppression", ["cand3", "scores3", "max_out", "iou", "thr"],
                     ["selected"], name="nms"),
    helper.make_node("Gather", ["selected", "col2"], ["keep2"], axis=1, name="box_column"),
    helper.make_node("Squeeze", ["keep2", "ax1"], ["keep"], name="keep_1d"),
    helper.make_node("Gather", ["cand", "keep"], ["kept"], axis=0, name="kept_boxes"),
    helper.make_node("Mul", ["kept", "pixels"], ["out_boxes"], name="to_pixels"),
    helper.make_node("Squeeze", ["top_scores", "ax0"], ["top1"], name="scores_1d"),
    helper.make_node("Gather", ["top1", "keep"], ["out_scores"], axis=0, name="kept_scores"),
]
graph = helper.make_graph(
    nodes, "detection_tail",
    [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, n, 4]),
     helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, n])],
    [helper.make_tensor_value_info("out_boxes", TensorProto.FLOAT, ["K", 4]),
     helper.make_tensor_value_info("out_scores", TensorProto.FLOAT, ["K"]),
     helper.make_tensor_value_info("selected", TensorProto.INT64, ["K", 3])],
    [i64("k", [k]), i64("ax0", [0]), i64("ax1", [1]), i64("col2", [2]),
     i64("max_out", [40]), f32("iou", [0.3]), f32("thr", [0.2]), f32("pixels", 640.0)])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
          "detection_tail.onnx")

# Readers that would mix padding rows into real values: errors.
for name, tail in (
        ("reduce", [helper.make_node("Cast", ["selected"], ["self"], to=TensorProto.FLOAT, name="as_float"),
                    helper.make_node("ReduceSum", ["self", "ax0"], ["out"], keepdims=0, name="sum_rows")]),
        ("shape", [helper.make_node("Shape", ["selected"], ["out"], name="shape_of")])):
    bad = helper.make_graph(
        nodes[:7] + tail, "bad_" + name,
        [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, n, 4]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, n])],
        [helper.make_tensor_value_info("out", TensorProto.UNDEFINED, None)],
        list(graph.initializer))
    onnx.save(helper.make_model(bad, opset_imports=[helper.make_opsetid("", 13)]),
              "detection_bad_%s.onnx" % name)
