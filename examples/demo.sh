#!/usr/bin/env bash
# `make demo`: runs qopt's main job on a bundled example and says what it did.
# Today that is the graph pipeline (--fold-bn --fuse-ops); calibration,
# quantization and execution join it as they land.
set -euo pipefail
BUILD=${1:-build}
QOPT="$BUILD/bin/qopt"
IN=examples/small_cnn_bn.mlir
OUT="$BUILD/demo/small_cnn_folded.mlir"
mkdir -p "$(dirname "$OUT")"

count() { grep -cE "qnn\.$2 " "$1" || true; }
summary() {
  printf '  %-22s conv2d=%s batch_norm=%s clip=%s relu=%s add=%s\n' "$1" \
    "$(count "$2" conv2d)" "$(count "$2" batch_norm)" "$(count "$2" clip)" \
    "$(count "$2" relu)" "$(count "$2" add)"
}

echo "qopt demo: $IN"
echo "  \$ $QOPT --fold-bn --fuse-ops $IN -o $OUT"
"$QOPT" --fold-bn --fuse-ops "$IN" -o "$OUT"
summary "before:" "$IN"
summary "after:" "$OUT"
echo "  fused activations:"
grep -oE 'qnn\.[a-z_0-9]+ .*fused_activation = #qnn.activation<[a-z0-9]+>' "$OUT" |
  sed -E 's/^(qnn\.[a-z_0-9]+).*activation<([a-z0-9]+)>.*/    \1 + \2/'
echo "  folded IR written to $OUT"
