"""The quality guard from Python (run by quality-guard.test): quantize()
measures the result against the float model, keeps the figures in
`.quality`, logs the line on the "qopt" logger, warns through `warnings`
below 20 dB and raises qopt.Error below min_sqnr."""
import logging
import os
import sys
import warnings

import numpy as np
import qopt

src, work = sys.argv[1], sys.argv[2]
inputs = os.path.join(src, "Execution", "Inputs")
model = qopt.load(os.path.join(src, "Target", "ONNX", "Inputs", "digits_cnn_bn_fp32.onnx"))
calib = np.load(os.path.join(inputs, "digits_calib_x.npy"))

logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="log: %(message)s")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    int8 = model.quantize("static", calibration_data=calib)
print("warnings: %d" % len(caught))
q = int8.quality
print("quality: %.1f dB on %d samples, %d -> %d bytes, worst %s" % (
    q["output_sqnr_db"], q["samples"], q["float_weight_bytes"], q["quantized_weight_bytes"], q["worst_op"]))
try:
    model.quantize("static", calibration_data=calib, min_sqnr=90)
except qopt.Error as e:
    print("qopt.Error: %s" % e)
model.quantize("static", calibration_data=calib, min_sqnr=15)
print("min_sqnr=15 passes")

spread = qopt.load(os.path.join(work, "spread.onnx"))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    spread.quantize("static", calibration_data=np.load(os.path.join(work, "x.npy")))
for w in caught:
    print("warning: %s: %s" % (w.category.__name__, w.message))
