#!/usr/bin/env bash
# Whole-model benchmark: qopt vs ONNX Runtime measured side by side in one
# run, on the kit's resnet18 and mobilenet_v2 at 224x224 batch 1, fp32 and
# int8, on 1 and 2 threads (both runtimes get the same count).
#   bench/run_bench.sh [BUILD_DIR]
# int8 is the kit's ORT-quantized QDQ uint8 model, which ONNX Runtime runs
# directly and qopt lowers to integer-only code (--fuse-ops
# --lower-fake-quant). Needs the development kit (../shared/kit: models and
# the ORT runner; QOPT_KIT elsewhere) and npm the first time
# (onnxruntime-node); EfficientNet-B0 and MobileNetV3-large come from
# python3-torchvision (make_cnn_variants.py). Prints median latencies (best of QOPT_BENCH_ROUNDS
# rounds) and ratios; asserts nothing.
# The kernel benchmark against oneDNN is bench/kernels/run_kernels.py.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KIT=${QOPT_KIT:-$ROOT/../shared/kit}
OUT="$BUILD/bench"
ITERS=${QOPT_BENCH_ITERS:-30}
# Shared (virtual) machines drift by 10-30% over seconds: each case runs
# ROUNDS times, qopt and ORT alternating, and keeps each side's fastest
# median.
ROUNDS=${QOPT_BENCH_ROUNDS:-3}
mkdir -p "$OUT"
[ -d "$KIT" ] || { echo "bench: no kit at $KIT (set QOPT_KIT)"; exit 1; }

"$ROOT/bench/install_ort.sh" "$OUT/ort" "$KIT"
/usr/bin/python3 "$ROOT/bench/make_224.py" "$OUT" \
  "$KIT/models/mobilenet_v2_digits32_fp32.onnx" "$KIT/models/resnet18_digits32_fp32.onnx"
X="$OUT/x224_b1.npy"

qopt_ms() { # model threads -> median ms
  "$BUILD/bin/qopt-run" "$1" --input "$X" --bench "$ITERS" --batch-size 1 --threads "$2" |
    sed -E 's/.*median ([0-9.]+) ms.*/\1/'
}
ort_ms() { # model threads -> median ms
  node "$OUT/ort/ort_run.js" bench "$1" "$X" --threads "$2" --bs 1 --iters "$ITERS" |
    sed -E 's/.*"median_ms":([0-9.]+).*/\1/'
}
ratio() { /usr/bin/python3 -c "print('%.2f' % ($1 / $2))"; }
min() { /usr/bin/python3 -c "import sys; print(min(float(v) for v in sys.argv[1:]))" "$@"; }

printf '%-34s %9s %9s %9s\n' "model, 224x224 batch 1" "qopt ms" "ORT ms" "qopt/ORT"
declare -A T
for m in resnet18 mobilenet_v2; do
  fp32="$OUT/${m}_224_fp32.onnx"
  qdq="$OUT/${m}_224_qdq_uint8.onnx"
  "$BUILD/bin/qopt-translate" --import-onnx "$qdq" -o "$OUT/$m.qdq.mlir"
  "$BUILD/bin/qopt" --fuse-ops --lower-fake-quant "$OUT/$m.qdq.mlir" -o "$OUT/$m.int8.mlir"
  for t in 1 2; do
    for kind in fp32 int8; do
      qs=(); os=()
      for r in $(seq "$ROUNDS"); do
        if [ $kind = fp32 ]; then qs+=("$(qopt_ms "$fp32" $t)"); os+=("$(ort_ms "$fp32" $t)")
        else qs+=("$(qopt_ms "$OUT/$m.int8.mlir" $t)"); os+=("$(ort_ms "$qdq" $t)"); fi
      done
      q=$(min "${qs[@]}"); o=$(min "${os[@]}")
      T[$m.$kind.$t]=$q
      printf '%-34s %9s %9s %9s\n' "$m $kind, $t thread(s)" "$q" "$o" "$(ratio "$q" "$o")"
    done
  done
done
# CNNs whose activations are x * sigmoid(x) (EfficientNet-B0) or hard-swish
# (MobileNetV3-large), and a bottleneck ResNet (ResNet-50), from torchvision
# with random weights and estimated batch-norm statistics: qopt's own
# static int8 (--integer-only: the activations become lookup tables)
# against its fp32, and fp32 against ORT.
VARIANTS=()
if /usr/bin/python3 -c "import torchvision" 2>/dev/null; then
  VARIANTS=(efficientnet_b0 mobilenet_v3_large resnet50)
  # (regenerated when the list grows; the marker names the script's version)
  if [ ! -f "$OUT/variants.v2" ]; then
    /usr/bin/python3 "$ROOT/bench/make_cnn_variants.py" "$OUT" >/dev/null 2>&1
    touch "$OUT/variants.v2"
  fi
else
  echo "(python3-torchvision missing: EfficientNet-B0, MobileNetV3, ResNet-50 skipped)"
fi
for m in "${VARIANTS[@]}"; do
  fp32="$OUT/${m}_224_fp32.onnx"
  qs=(); os=(); is=()
  for r in $(seq "$ROUNDS"); do
    qs+=("$(qopt_ms "$fp32" 1)"); os+=("$(ort_ms "$fp32" 1)")
    is+=("$("$BUILD/bin/qopt-run" "$fp32" --quantize=static \
      --calibration-data="$OUT/calib224.npy" --integer-only --input "$X" \
      --bench "$ITERS" | sed -E 's/.*median ([0-9.]+) ms.*/\1/')")
  done
  q=$(min "${qs[@]}"); o=$(min "${os[@]}"); i=$(min "${is[@]}")
  T[$m.fp32.1]=$q; T[$m.int8.1]=$i
  printf '%-34s %9s %9s %9s\n' "$m fp32, 1 thread" "$q" "$o" "$(ratio "$q" "$o")"
  printf '%-34s %9s %9s %9s\n' "$m int8 (qopt PTQ), 1 thread" "$i" "-" "-"
done
echo
for m in "${VARIANTS[@]}"; do
  echo "$m: int8/fp32 $(ratio "${T[$m.int8.1]}" "${T[$m.fp32.1]}") (1 thread)"
done
for m in resnet18 mobilenet_v2; do
  echo "$m: int8/fp32 $(ratio "${T[$m.int8.1]}" "${T[$m.fp32.1]}") (1 thread);" \
       "2 threads vs 1: fp32 $(ratio "${T[$m.fp32.1]}" "${T[$m.fp32.2]}")x," \
       "int8 $(ratio "${T[$m.int8.1]}" "${T[$m.int8.2]}")x"
done
