#!/usr/bin/env bash
# `make demo`: qopt's main job on the bundled digits CNN (ONNX, batch-norm
# kept), end to end:
#   import -> fold batch-norm + fuse activations -> fp32 on 450 test digits
#   -> observers, calibration on 256 images, static int8 quantization
#   -> integer-only int8 on the same digits (accuracy, agreement, speed)
#   -> ahead-of-time int8 object + C program
#   -> the same int8 object from the ONNX file in one qopt-compile command.
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bin"
OUT="$BUILD/demo"
IN=test/Execution/Inputs
MODEL=test/Target/ONNX/Inputs/digits_cnn_bn_fp32.onnx
mkdir -p "$OUT"

accuracy() { # logits.npy -> "0.9844"
  /usr/bin/python3 -c "import numpy as np,sys; y=np.load(sys.argv[1]); l=np.load(sys.argv[2]); print('%.4f' % (y.argmax(1)==l).mean())" "$1" "$IN/digits_test_y.npy"
}
maxdiff() {
  /usr/bin/python3 -c "import numpy as np,sys; print('%.2g' % np.abs(np.load(sys.argv[1])-np.load(sys.argv[2])).max())" "$1" "$2"
}
count() { grep -cE "qnn\.$2 " "$1" || true; }

echo "== qopt demo: $MODEL"
echo "1. import      qopt-translate --import-onnx"
"$BIN/qopt-translate" --import-onnx "$MODEL" -o "$OUT/cnn.mlir"
echo "   conv2d=$(count "$OUT/cnn.mlir" conv2d) batch_norm=$(count "$OUT/cnn.mlir" batch_norm) relu=$(count "$OUT/cnn.mlir" relu) fully_connected=$(count "$OUT/cnn.mlir" fully_connected)"

echo "2. graph       qopt --fold-bn --fuse-ops"
"$BIN/qopt" --fold-bn --fuse-ops "$OUT/cnn.mlir" -o "$OUT/cnn.opt.mlir"
echo "   conv2d=$(count "$OUT/cnn.opt.mlir" conv2d) batch_norm=$(count "$OUT/cnn.opt.mlir" batch_norm) relu=$(count "$OUT/cnn.opt.mlir" relu) (relus fused: $(grep -c 'activation<relu>' "$OUT/cnn.opt.mlir"))"

echo "3. run fp32    qopt-run (JIT) on 450 test digits"
"$BIN/qopt-run" "$OUT/cnn.opt.mlir" --input "$IN/digits_test_x.npy" --output "$OUT/fp32.npy"
echo "   accuracy $(accuracy "$OUT/fp32.npy"), max |logit - torch| = $(maxdiff "$OUT/fp32.npy" "$IN/digits_cnn_torch_logits.npy")"
"$BIN/qopt-run" "$OUT/cnn.opt.mlir" --input "$IN/digits_test_x.npy" --bench 20 --batch-size 64 | sed 's/^/   fp32 /'

echo "4. quantize    qopt --insert-observers; qopt-run --calibrate (256 images, min/max); qopt --quantize-static"
"$BIN/qopt" --insert-observers "$OUT/cnn.opt.mlir" -o "$OUT/cnn.obs.mlir"
"$BIN/qopt-run" "$OUT/cnn.obs.mlir" --calibrate --input "$IN/digits_calib_x.npy" -o "$OUT/cnn.cal.mlir" --stats-out "$OUT/stats.json"
"$BIN/qopt" --quantize-static --mlir-print-debuginfo "$OUT/cnn.cal.mlir" -o "$OUT/cnn.int8.mlir"
echo "   $(grep -c '"id"' "$OUT/stats.json") observers calibrated ($OUT/stats.json); int8 graph: quantize=$(count "$OUT/cnn.int8.mlir" quantize) conv2d=$(count "$OUT/cnn.int8.mlir" conv2d) fully_connected=$(count "$OUT/cnn.int8.mlir" fully_connected) dequantize=$(count "$OUT/cnn.int8.mlir" dequantize)"
"$BIN/qopt" --quantization-report=json="$OUT/size.json" "$OUT/cnn.int8.mlir" -o /dev/null 2>"$OUT/size.txt"
echo "   size: $(tail -1 "$OUT/size.txt" | awk '{print $2 " B float -> " $3 " B int8 " $4 " " $5}') (per layer: $OUT/size.txt, $OUT/size.json)"
"$BIN/qopt" --integer-only "$OUT/cnn.int8.mlir" -o "$OUT/cnn.intonly.mlir"
echo "   --integer-only: $(grep -c 'qnn.rescale' "$OUT/cnn.intonly.mlir") fixed-point rescales, $(grep -cE 'arith\.(mulf|addf)' "$OUT/cnn.intonly.mlir") float ops (input quantize / output dequantize only)"

echo "5. run int8    qopt-run (integer-only) on the same 450 digits"
"$BIN/qopt-run" "$OUT/cnn.int8.mlir" --input "$IN/digits_test_x.npy" --output "$OUT/int8.npy"
echo "   accuracy $(accuracy "$OUT/int8.npy") (fp32 $(accuracy "$OUT/fp32.npy"), ONNX Runtime int8 0.9844), argmax agreement with fp32: $(/usr/bin/python3 -c "import numpy as np; print('%.4f' % (np.load('$OUT/int8.npy').argmax(1)==np.load('$OUT/fp32.npy').argmax(1)).mean())")"
"$BIN/qopt-run" "$OUT/cnn.int8.mlir" --input "$IN/digits_test_x.npy" --bench 20 --batch-size 64 | sed 's/^/   int8 /'
"$BIN/qopt-run" "$OUT/cnn.cal.mlir" --sqnr="$OUT/cnn.int8.mlir" --input "$IN/digits_test_x.npy" > "$OUT/sqnr.txt"
echo "   SQNR vs fp32 (dB): $(awk 'NR > 1 && $2 ~ /^qnn\.(conv2d|fully_connected)$/ {printf "%s%s", sep, $(NF-2); sep=", "}' "$OUT/sqnr.txt") per layer, output $(grep '^output 0' "$OUT/sqnr.txt" | awk '{print $(NF-2)}') (table: $OUT/sqnr.txt)"

echo "6. compile     qopt-compile the int8 model -> object + C header, linked by examples/c/run_model.c"
"$BIN/qopt-compile" "$OUT/cnn.int8.mlir" --target x86_64-linux-gnu -o "$OUT/digits.o" --header "$OUT/digits.h" --name digits
clang-22 -O2 -I"$OUT" -DQOPT_MODEL_HEADER='"digits.h"' -DQOPT_MODEL=digits examples/c/run_model.c "$OUT/digits.o" -lm -o "$OUT/run_digits"
"$OUT/run_digits" "$IN/digits_test_x.npy" "$OUT/aot.npy" | sed 's/^/   /'
echo "   accuracy $(accuracy "$OUT/aot.npy"); identical to the JIT: $(/usr/bin/python3 -c "import numpy as np; print(bool((np.load('$OUT/aot.npy')==np.load('$OUT/int8.npy')).all()))"); object needs only: $(nm -u "$OUT/digits.o" | awk '{print $2}' | tr '\n' ' ')"
echo "7. one command qopt-compile model.onnx --quantize=static --calibration-data=... --integer-only (steps 1-6 in one process)"
"$BIN/qopt-compile" "$MODEL" --quantize=static --calibration-data="$IN/digits_calib_x.npy" --integer-only -o "$OUT/digits1.o" --header "$OUT/digits1.h" --name digits
clang-22 -O2 -I"$OUT" -DQOPT_MODEL_HEADER='"digits1.h"' -DQOPT_MODEL=digits examples/c/run_model.c "$OUT/digits1.o" -lm -o "$OUT/run_digits1"
"$OUT/run_digits1" "$IN/digits_test_x.npy" "$OUT/aot1.npy" > /dev/null
echo "   accuracy $(accuracy "$OUT/aot1.npy"); identical to step 6: $(/usr/bin/python3 -c "import numpy as np; print(bool((np.load('$OUT/aot1.npy')==np.load('$OUT/aot.npy')).all()))")"
echo "== artifacts in $OUT"
