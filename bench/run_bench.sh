#!/usr/bin/env bash
# qopt vs ONNX Runtime, single-threaded, measured side by side in one run.
#   bench/run_bench.sh [BUILD_DIR]
# Needs the development kit (../shared/kit: models and the ORT runner) and
# network access to the npm registry the first time (onnxruntime-node).
# Prints median latencies and qopt/ORT ratios; asserts nothing.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KIT=${QOPT_KIT:-$ROOT/../shared/kit}
OUT="$BUILD/bench"
mkdir -p "$OUT"
[ -d "$KIT" ] || { echo "bench: no kit at $KIT (set QOPT_KIT)"; exit 1; }

if [ ! -d "$OUT/ort/node_modules/onnxruntime-node" ]; then
  mkdir -p "$OUT/ort"
  cp "$KIT"/ort/* "$OUT/ort/"
  (cd "$OUT/ort" && npm install --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
fi
/usr/bin/python3 "$ROOT/bench/make_224.py" "$KIT/models/mobilenet_v2_digits32_fp32.onnx" "$OUT"

qopt_ms() { # model input batch -> median ms
  "$BUILD/bin/qopt-run" "$1" --input "$2" --bench "${4:-30}" --batch-size "$3" |
    sed -E 's/.*median ([0-9.]+) ms.*/\1/'
}
ort_ms() {
  node "$OUT/ort/ort_run.js" bench "$1" "$2" --threads 1 --bs "$3" --iters "${4:-30}" |
    sed -E 's/.*"median_ms":([0-9.]+).*/\1/'
}
ratio() { { [ "$1" = "-" ] || [ "$2" = "-" ]; } && echo "-" || /usr/bin/python3 -c "print('%.2f' % ($1 / $2))"; }

printf '%-44s %10s %10s %8s\n' "case (1 thread)" "qopt ms" "ORT ms" "qopt/ORT"
row() {
  local name=$1 q=$2 o=$3
  printf '%-44s %10s %10s %8s\n' "$name" "$q" "$o" "$(ratio "$q" "$o")"
}
M224="$OUT/mobilenet_v2_224_fp32.onnx"
M32="$KIT/models/mobilenet_v2_digits32_fp32.onnx"
row "mobilenet_v2 fp32 224x224 batch 1" \
  "$(qopt_ms "$M224" "$OUT/x224_b1.npy" 1)" "$(ort_ms "$M224" "$OUT/x224_b1.npy" 1)"
row "mobilenet_v2 fp32 32x32 batch 64" \
  "$(qopt_ms "$M32" "$OUT/x32_b64.npy" 64 10)" "$(ort_ms "$M32" "$OUT/x32_b64.npy" 64 10)"
# int8: the ORT-quantized QDQ model, lowered by qopt to integer-only code.
int8_model() { # onnx -> lowered mlir
  "$BUILD/bin/qopt-translate" --import-onnx "$1" -o "$2.mlir"
  "$BUILD/bin/qopt" --fuse-ops --lower-fake-quant "$2.mlir" -o "$2"
}
Q224="$OUT/mobilenet_v2_224_qdq_uint8.onnx"
Q32="$KIT/models/mobilenet_v2_digits32_qdq_uint8.onnx"
int8_model "$Q224" "$OUT/q224.mlir"
int8_model "$Q32" "$OUT/q32.mlir"
F224=$(qopt_ms "$M224" "$OUT/x224_b1.npy" 1)
I224=$(qopt_ms "$OUT/q224.mlir" "$OUT/x224_b1.npy" 1)
row "mobilenet_v2 int8 224x224 batch 1" "$I224" "$(ort_ms "$Q224" "$OUT/x224_b1.npy" 1)"
row "mobilenet_v2 int8 32x32 batch 64" \
  "$(qopt_ms "$OUT/q32.mlir" "$OUT/x32_b64.npy" 64 10)" "$(ort_ms "$Q32" "$OUT/x32_b64.npy" 64 10)"
# qopt's own static quantization of the same fp32 model (signed int8
# activations, per-channel weights; calibrated on the benchmark input, which
# is enough for timing); ORT has no counterpart, so no ratio.
"$BUILD/bin/qopt-translate" --import-onnx "$M224" -o "$OUT/p224.f32.mlir"
"$BUILD/bin/qopt" --fold-bn --fuse-ops --insert-observers "$OUT/p224.f32.mlir" -o "$OUT/p224.obs.mlir"
"$BUILD/bin/qopt-run" "$OUT/p224.obs.mlir" --calibrate --input "$OUT/x224_b1.npy" -o "$OUT/p224.cal.mlir"
"$BUILD/bin/qopt" --quantize-static "$OUT/p224.cal.mlir" -o "$OUT/p224.mlir"
P224=$(qopt_ms "$OUT/p224.mlir" "$OUT/x224_b1.npy" 1)
row "mobilenet_v2 int8 (qopt PTQ) 224x224 batch 1" "$P224" "-"
echo
echo "qopt int8 / qopt fp32 at 224x224 batch 1: $(ratio "$I224" "$F224") ($I224 ms / $F224 ms);" \
     "qopt-quantized: $(ratio "$P224" "$F224")"
