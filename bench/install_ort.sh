#!/usr/bin/env bash
# Installs ONNX Runtime (onnxruntime-node from npm) with the kit's runner
# into DIR once; the benchmarks share it.
#   bench/install_ort.sh DIR KIT
set -euo pipefail
DIR=$1 KIT=$2
if [ ! -d "$DIR/node_modules/onnxruntime-node" ]; then
  mkdir -p "$DIR"
  cp "$KIT"/ort/* "$DIR/"
  (cd "$DIR" && npm install --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
fi
