#!/usr/bin/env bash
# Real-model benchmark: the kit's real models (PaddleOCR v4 detection and
# recognition, Silero VAD v5, openWakeWord melspectrogram and embedding) at
# their deployment shapes (batch 1), and a BERT-small-style encoder and a
# two-layer GRU (bench/real/make_seq_models.py, random weights), on 1 and 2
# threads: ONNX Runtime fp32, qopt fp32, qopt's own static int8 (calibrated
# on the kit's calibration inputs) and, for the GRU, dynamic int8.
#   bench/run_real.sh [BUILD_DIR]
# Needs ../shared/kit (QOPT_KIT elsewhere) and npm the first time
# (onnxruntime-node). Prints one table of median latencies (best of
# QOPT_BENCH_ROUNDS rounds, QOPT_BENCH_ITERS runs each) and the ratios
# qopt fp32 / ORT fp32, qopt int8 / ORT fp32 and qopt int8 / qopt fp32;
# asserts nothing. QOPT_BENCH_ONLY=name,... restricts the models,
# QOPT_BENCH_THREADS the thread counts ("1 2").
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KIT=${QOPT_KIT:-$ROOT/../shared/kit}
OUT="$BUILD/bench-real"
ITERS=${QOPT_BENCH_ITERS:-20}
ROUNDS=${QOPT_BENCH_ROUNDS:-3}
THREADS=${QOPT_BENCH_THREADS:-"1 2"}
ONLY=${QOPT_BENCH_ONLY:-}
mkdir -p "$OUT"
[ -d "$KIT/real" ] || { echo "bench: no kit at $KIT (set QOPT_KIT)"; exit 1; }

# The ONNX Runtime install run_bench.sh uses.
ORT="$BUILD/bench/ort"
"$ROOT/bench/install_ort.sh" "$ORT" "$KIT"
cp "$ROOT/bench/real/ort_bench.js" "$ORT/"

{
  /usr/bin/python3 "$ROOT/bench/real/make_real_inputs.py" "$KIT/real" "$OUT"
  /usr/bin/python3 "$ROOT/bench/real/make_seq_models.py" "$OUT/seq"
  S="$OUT/seq"
  echo "encoder|$S/encoder.onnx||tokens=$S/encoder_x.npy|$S/encoder_calib.npy"
  echo "gru|$S/gru.onnx||features=$S/gru_x.npy|$S/gru_calib.npy"
} > "$OUT/models.txt"

best() { /usr/bin/python3 -c "import sys; v=[float(x) for x in sys.argv[1:] if x]; print(min(v) if v else '')" "$@"; }
ratio() { /usr/bin/python3 -c "import sys; a,b=sys.argv[1:]; print('%.2f' % (float(a)/float(b)) if a and b else '-')" "$1" "$2"; }
# qopt-run prints "batch N: median X ms, ..."; an error leaves the cell empty.
qopt_ms() { # model threads [flags...]
  local m=$1 t=$2; shift 2
  "$BUILD/bin/qopt-run" "$m" "$@" --bench "$ITERS" --threads "$t" 2>"$OUT/last.err" |
    sed -nE 's/.*median ([0-9.]+) ms.*/\1/p' | tail -1
}
ort_ms() { # model threads feeds...
  local m=$1 t=$2; shift 2
  node "$ORT/ort_bench.js" "$m" "$@" --threads "$t" --iters "$ITERS" 2>"$OUT/last.err" |
    sed -nE 's/.*"median_ms":([0-9.]+).*/\1/p'
}

printf '%-20s %3s %9s %9s %9s %9s %8s %8s %8s\n' model thr "ORT fp32" "qopt fp32" "qopt int8" "dyn int8" "fp32/ORT" "int8/ORT" "int8/own"
while IFS='|' read -r name onnx shapes feeds calib; do
  if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
  # shellcheck disable=SC2206
  shapeFlags=($shapes)
  inputFlags=(); for f in $feeds; do inputFlags+=(--input "${f#*=}"); done
  # Quantize once (static int8; dynamic for the recurrent model), then time
  # the saved module.
  "$BUILD/bin/qopt-translate" --import-onnx "$onnx" "${shapeFlags[@]}" -o "$OUT/$name.mlir" 2>"$OUT/$name.import.err" || true
  "$BUILD/bin/qopt" --fold-bn --fuse-ops "$OUT/$name.mlir" -o "$OUT/$name.fp32.mlir" 2>/dev/null || true
  "$BUILD/bin/qopt" --fold-bn --fuse-ops --quantize-static="calibration-data=$calib" \
    "$OUT/$name.mlir" -o "$OUT/$name.int8.mlir" 2>"$OUT/$name.int8.err" || rm -f "$OUT/$name.int8.mlir"
  dyn=""
  if [ "$name" = gru ]; then
    "$BUILD/bin/qopt" --fold-bn --fuse-ops --quantize-dynamic "$OUT/$name.mlir" \
      -o "$OUT/$name.dyn.mlir" 2>/dev/null || rm -f "$OUT/$name.dyn.mlir"
    dyn="$OUT/$name.dyn.mlir"
  fi
  for t in $THREADS; do
    os=(); fs=(); is=(); ds=()
    for r in $(seq "$ROUNDS"); do
      os+=("$(ort_ms "$onnx" "$t" $feeds || true)")
      fs+=("$(qopt_ms "$OUT/$name.fp32.mlir" "$t" "${inputFlags[@]}" || true)")
      [ -f "$OUT/$name.int8.mlir" ] && is+=("$(qopt_ms "$OUT/$name.int8.mlir" "$t" "${inputFlags[@]}" || true)")
      [ -n "$dyn" ] && [ -f "$dyn" ] && ds+=("$(qopt_ms "$dyn" "$t" "${inputFlags[@]}" || true)")
    done
    o=$(best "${os[@]}"); f=$(best "${fs[@]}"); i=$(best "${is[@]:-}"); d=$(best "${ds[@]:-}")
    printf '%-20s %3s %9s %9s %9s %9s %8s %8s %8s\n' "$name" "$t" "$o" "$f" "${i:--}" "${d:--}" \
      "$(ratio "$f" "$o")" "$(ratio "$i" "$o")" "$(ratio "$i" "$f")"
  done
done < "$OUT/models.txt"
