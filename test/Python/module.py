"""Exercises `import qopt` (run by python-module.test with PYTHONPATH set to
the build tree): load, run, quantize in every mode, reports, compile, and
the errors a Python user meets. Prints lines FileCheck reads."""
import os
import re
import subprocess
import sys

import numpy as np
import qopt

src, out = sys.argv[1], sys.argv[2]
inputs = os.path.join(src, "Execution", "Inputs")
onnx = os.path.join(src, "Target", "ONNX", "Inputs", "digits_cnn_bn_fp32.onnx")
x = np.load(os.path.join(inputs, "digits_test_x.npy"))
y = np.load(os.path.join(inputs, "digits_test_y.npy"))
calib = np.load(os.path.join(inputs, "digits_calib_x.npy"))

model = qopt.load(onnx)
print("fp32 accuracy %.4f" % (model(x).argmax(1) == y).mean())

# Calibration data as one array, as a list of batches (an iterable), and a
# per-layer config given as a dict.
int8 = model.quantize("static", calibration_data=calib, integer_only=True)
print("static accuracy %.4f" % (int8(x).argmax(1) == y).mean())
batches = (calib[i:i + 64] for i in range(0, len(calib), 64))
same = model.quantize("static", calibration_data=batches)
print("batches give the same model: %s" % bool((same(x) == int8(x)).all()))
mixed = model.quantize("static", calibration_data=calib,
                       config={"layers": [{"match": "fc1", "keep_float": True}]})
print("config keeps fc1 float: %s" % ("tensor<64x512xf32>" in mixed.mlir and
                                      "tensor<64x512xf32>" not in int8.mlir))
# The flow's options: 4-bit per-tensor weights, with and without
# cross-layer equalization (the digits CNN's conv -> relu -> conv pairs).
for eq in (False, True):
    w4 = model.quantize("static", calibration_data=calib, weight_bits=4,
                        per_channel=False, equalize=eq)
    print("w4 per-tensor equalize=%s: %d-bit storage %s, accuracy %.4f" % (
        eq, 4, "i8<-7:7>" in w4.mlir, (w4(x).argmax(1) == y).mean()))
learned = model.quantize("static", calibration_data=calib, weight_bits=4,
                         per_channel=False, rounding="learned", bias_correction=True)
print("w4 per-tensor learned: accuracy %.4f" % (learned(x).argmax(1) == y).mean())
# SmoothQuant on a ViT whose layer norms carry two 32x outlier channels.
vit_path = os.path.join(out, "vit_outlier.onnx")
subprocess.run([sys.executable, os.path.join(inputs, "make_outlier_transformer.py"),
                os.path.join(inputs, "seq", "digits_vit_op17.onnx"), vit_path],
               check=True, stdout=subprocess.DEVNULL)
vit = qopt.load(vit_path)
vit_float = vit(x).astype(np.float64)
for sq in (False, True, "auto"):
    q = vit.quantize("static", calibration_data=calib, smooth_quant=sq, quality_check=False)
    err = ((vit_float - q(x)) ** 2).sum()
    print("vit smooth_quant=%s: %.0f dB" % (sq, 10 * np.log10((vit_float ** 2).sum() / err)))
try:
    vit.quantize("static", calibration_data=calib, smooth_quant=1.5)
except qopt.Error as e:
    print("qopt.Error: %s" % e)
# Mixed precision: a target measured by qopt, or by the caller's eval_fn.
searched = model.quantize("static", calibration_data=calib, weight_bits=4, per_channel=False,
                          accuracy_target="agreement:0.99", accuracy_data=x)
print(searched.precision["summary"])
print("config reproduces it: %s" % bool((model.quantize(
    "static", calibration_data=calib, weight_bits=4, per_channel=False,
    config=searched.precision["config"])(x) == searched(x)).all()))
iso = model.quantize("static", calibration_data=calib, weight_bits=4, per_channel=False,
                     accuracy_target="agreement:0.99", accuracy_data=x,
                     accuracy_ranking="isolated")
print("isolated: " + iso.precision["summary"].split(";")[0])
try:
    model.quantize("static", calibration_data=calib, accuracy_target="sqnr:30",
                   accuracy_ranking="random")
except qopt.Error as e:
    print("qopt.Error: %s" % e)
called = []
def accuracy_of(m):
    called.append(1)
    return float((m(x).argmax(1) == y).mean())
by_fn = model.quantize("static", calibration_data=calib, weight_bits=4, per_channel=False,
                       accuracy_target="drop:0.01", eval_fn=accuracy_of)
print("eval_fn: %s; called %d times" % (by_fn.precision["summary"].split(";")[0], len(called)))
for mode in ("dynamic", "weight-only"):
    q = model.quantize(mode)
    print("%s accuracy %.4f" % (mode, (q(x).argmax(1) == y).mean()))
qdq = qopt.load(os.path.join(inputs, "digits_cnn_qop_qlinear.onnx")).quantize("qat")
print("qat accuracy %.4f" % (qdq(x).argmax(1) == y).mean())

# Reports as Python objects.
layers = int8.sqnr(x)
worst = min((l for l in layers if not l["name"].startswith("output")),
            key=lambda l: l["sqnr_db"])
print("sqnr rows %d, worst %s %.1f dB" % (len(layers), worst["op"], worst["sqnr_db"]))
size = int8.size_report()
print("size: %s %d -> %d bytes" % (size[0]["op"], size[0]["float_bytes"], size[0]["quantized_bytes"]))

int8.report(os.path.join(out, "report.html"), x, labels=y, title="digits")
page = open(os.path.join(out, "report.html")).read()
print("report: %d layers, %s" % (page.count('class="layer"'),
                                 re.search(r"accuracy: [^<]*", page).group(0)))

# The object and header qopt-compile would write.
int8.compile(os.path.join(out, "py.o"), os.path.join(out, "py.h"), name="digits")
print("compiled: %s" % os.path.exists(os.path.join(out, "py.o")))

# Errors carry qopt's diagnostics.
def error(f):
    try:
        f()
    except qopt.Error as e:
        print("qopt.Error: " + str(e).splitlines()[0])

error(lambda: int8(np.zeros((2, 3), np.float32)))
error(lambda: model.quantize("static"))
error(lambda: model.quantize("fastest"))
error(lambda: model.quantize("static", calibration_data=calib, accuracy_target=0.5,
                             eval_fn=lambda m: 1 / 0))
error(lambda: model.quantize("static", calibration_data=calib, accuracy_target="accuracy:90"))
error(lambda: model.quantize("dynamic", calibration_data=calib))
error(lambda: model.quantize("static", calibration_data=np.zeros((4, 2), np.float32)))
error(lambda: qopt.load(os.path.join(out, "missing.onnx")))
error(lambda: model.sqnr(x))

# NumPy's default float64 (and float16) for a float32 input: converted, with
# a UserWarning, to the same outputs; other dtypes stay errors.
import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    same = bool((model.run(x.astype(np.float64))[0] == model.run(x)[0]).all())
    model.quantize("static", calibration_data=calib.astype(np.float16), quality_check=False)
print("float64 input gives the same outputs: %s" % same)
for w in caught:
    print("warning: " + str(w.message))
error(lambda: model(x.astype(np.int32)))
error(lambda: model.quantize("static", calibration_data=calib.astype(np.int32)))
