"""The Python module as a user meets it (run by usability.test): model
signatures and repr, calibration data in the shapes people have it (a list
of batches, dicts, generators, objects with __array__ like torch tensors),
warnings through `warnings`, no printing from library calls, compile with
threads."""
import os
import sys
import warnings

import numpy as np
import qopt

src, work = sys.argv[1], sys.argv[2]
inputs = os.path.join(src, "Execution", "Inputs")
model = qopt.load(os.path.join(src, "Target", "ONNX", "Inputs", "digits_cnn_bn_fp32.onnx"))
calib = np.load(os.path.join(inputs, "digits_calib_x.npy"))
x = np.load(os.path.join(inputs, "digits_test_x.npy"))

print("inputs: %s" % model.inputs)
print("outputs: %s" % model.outputs)
print("repr: %r" % model)

reference = model.quantize("static", calibration_data=calib)(x)


class TensorLike:
    """What torch.Tensor offers NumPy: __array__."""

    def __init__(self, a):
        self.a = a

    def __array__(self, dtype=None, copy=None):
        return self.a


forms = {
    "list of batches": [calib[i:i + 64] for i in range(0, len(calib), 64)],
    "generator of batches": (calib[i:i + 64] for i in range(0, len(calib), 64)),
    "dict": {"input": calib},
    "list of dicts": [{"input": calib[:128]}, {"input": calib[128:]}],
    "tensor-like": TensorLike(calib),
    "list of tensor-likes": [TensorLike(calib[:100]), TensorLike(calib[100:])],
}
for name, data in forms.items():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = model.quantize("static", calibration_data=data)
    print("%s: same model %s" % (name, bool((q(x) == reference).all())))

try:
    model.quantize("static", calibration_data={"image": calib})
except qopt.Error as e:
    print("qopt.Error: %s" % e)

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model.quantize("static", calibration_data=calib,
                   config={"layers": [{"match": "^nothing$", "keep_float": True}]})
for w in caught:
    print("warning: %s" % w.message)

# Progress through logging (the "qopt" logger), never printed.
import logging
records = []
handler = logging.Handler()
handler.emit = lambda r: records.append(r.getMessage())
logging.getLogger("qopt").addHandler(handler)
logging.getLogger("qopt").setLevel(logging.INFO)
q = model.quantize("static", calibration_data=calib)
rows = q.size_report()
print("size_report rows: %d" % len(rows))
q.compile(os.path.join(work, "m.o"), os.path.join(work, "m.h"), threads=2)
print("compiled with threads: %s" % ("-lomp" in open(os.path.join(work, "m.h")).read()))
logging.getLogger("qopt").removeHandler(handler)
print("logged: %s" % " | ".join(r.split(" in ")[0] for r in records if "quality" not in r))

# A stateful model (its state has the batch on axis 1, as Silero VAD's):
# calibration data as samples, each a feed of exactly the model's shapes,
# one call each -- a list of tuples or a generator of dicts.
ps = os.path.join(work, "ps")
stateful = qopt.load(os.path.join(ps, "stateful.onnx"),
                     input_shapes={"x": (1, 8), "state": (2, 1, 4)})
feeds = [dict(np.load(os.path.join(ps, "samples", f)))
         for f in sorted(os.listdir(os.path.join(ps, "samples")))]
tuples = stateful.quantize("static", method="minmax",
                           calibration_data=[(f["x"], f["state"], f["sr"]) for f in feeds])
dicts = stateful.quantize("static", method="minmax", calibration_data=(f for f in feeds))
stacks = [np.stack([f[k] for f in feeds]) for k in ("x", "state", "sr")]
y_float, _ = stateful.run(*stacks)
y_tuples, s_tuples = tuples.run(*stacks)
y_dicts, _ = dicts.run(*stacks)
sqnr = 10 * np.log10((y_float ** 2).sum() / ((y_float - y_tuples) ** 2).sum())
print("stateful samples: %d, outputs %s, states %s, same model %s, SQNR above 30 dB %s, guard on %d samples" % (
    len(feeds), y_tuples.shape, s_tuples.shape, bool((y_tuples == y_dicts).all()), sqnr > 30, tuples.quality["samples"]))
try:
    stateful.quantize("static", calibration_data=[(f["x"], f["state"][:, :, :2], f["sr"]) for f in feeds])
except qopt.Error as e:
    print("qopt.Error: %s" % e)

