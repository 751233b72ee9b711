#!/usr/bin/env bash
# Records ONNX Runtime's outputs (1 thread, CPU EP) for the kit's quantized
# models on the test split, as the reference of test/Execution/kit-vs-ort.test.
#   scripts/record-ort-outputs.sh [BUILD_DIR]
# Needs the development kit and the npm registry the first time
# (onnxruntime-node, installed under BUILD_DIR/bench/ort like bench/ does).
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KIT=${QOPT_KIT:-$ROOT/../shared/kit}
ORT="$BUILD/bench/ort"
OUT="$ROOT/test/Execution/Inputs/ort"
if [ ! -d "$ORT/node_modules/onnxruntime-node" ]; then
  mkdir -p "$ORT"
  cp "$KIT"/ort/* "$ORT/"
  (cd "$ORT" && npm install --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
fi
mkdir -p "$OUT"
for m in digits_cnn_qdq_int8 digits_cnn_qdq_uint8 digits_cnn_qop_qlinear digits_cnn_qop_integer \
         digits_mlp_qdq_int8 digits_mlp_qdq_uint8 digits_mlp_qop_qlinear digits_mlp_qop_integer \
         torch_eager_ptq_qnnpack_nofcrelu_op13 \
         torch_qat_fakequant_plain_per_tensor_op13 torch_qat_fakequant_plain_per_channel_op13; do
  # The torch exports have a fixed batch of 1.
  bs=450; case $m in torch_*) bs=1;; esac
  node "$ORT/ort_run.js" dump "$KIT/models/$m.onnx" "$KIT/data/digits_test_x.npy" "$OUT/$m.npy" --bs $bs
done
for m in mobilenet_v2_digits32_qdq_int8 mobilenet_v2_digits32_qdq_uint8; do
  node "$ORT/ort_run.js" dump "$KIT/models/$m.onnx" "$KIT/data/digits32_test_x.npy" "$OUT/$m.npy" --bs 50
done
# The repository's own transformer and recurrent models (dynamic batch).
for m in digits_vit_op13 digits_vit_op17 digits_lstm_op13 digits_lstm_op17 \
         digits_bigru_op13 digits_bigru_op17; do
  node "$ORT/ort_run.js" dump "$ROOT/test/Execution/Inputs/seq/$m.onnx" \
    "$ROOT/test/Execution/Inputs/digits_test_x.npy" "$OUT/$m.npy" --bs 450
done
# Kit models in the form ONNX Runtime's quantize_dynamic writes
# (test/Execution/Inputs/ort_quantize_dynamic.py; deterministic).
DYN=$(mktemp -d)
for wt in int8 uint8; do
  /usr/bin/python3 "$ROOT/test/Execution/Inputs/ort_quantize_dynamic.py" \
    "$KIT/models/mobilenet_v2_digits32_fp32.onnx" "$DYN/mnv2_$wt.onnx" --weight-type $wt
  node "$ORT/ort_run.js" dump "$DYN/mnv2_$wt.onnx" "$KIT/data/digits32_test_x.npy" \
    "$OUT/mobilenet_v2_digits32_dynamic_$wt.npy" --bs 50
done
/usr/bin/python3 "$ROOT/test/Execution/Inputs/ort_quantize_dynamic.py" \
  "$ROOT/test/Execution/Inputs/seq/digits_vit_op17.onnx" "$DYN/vit.onnx"
node "$ORT/ort_run.js" dump "$DYN/vit.onnx" "$ROOT/test/Execution/Inputs/digits_test_x.npy" \
  "$OUT/digits_vit_op17_dynamic.npy" --bs 450
rm -rf "$DYN"
# Opset 9/10 linear resizing differs from PyTorch's: ORT is the reference.
for op in 9 10; do
  node "$ORT/ort_run.js" dump "$ROOT/test/Execution/Inputs/families/unet_op$op.onnx" \
    "$ROOT/test/Execution/Inputs/families/unet_x.npy" "$OUT/unet_op$op.npy" --bs 3
done
# MatMulNBits (test/Execution/Inputs/make_blockwise_models.py; deterministic).
# Only MatMulNBits: for blocked DequantizeLinear + MatMul, ORT's optimizer
# substitutes MatMulNBits with int8 activations (accuracy_level 4), which
# is not the ONNX definition (blockwise-weights.test compares with NumPy).
BW=$(mktemp -d)
/usr/bin/python3 "$ROOT/test/Execution/Inputs/make_blockwise_models.py" "$BW"
for m in nbits4:1 nbits4_nozp:4 nbits8:2; do
  node "$ORT/ort_run.js" dump "$BW/${m%%:*}.onnx" "$BW/${m%%:*}_x.npy" "$OUT/${m%%:*}.npy" --bs ${m##*:}
done
rm -rf "$BW"
