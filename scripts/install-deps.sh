#!/usr/bin/env bash
#===- install-deps.sh - Install qopt's build and test dependencies -------===#
#
# Idempotent: installs only the Debian packages that are missing. Safe to run
# on every `make` invocation; it returns in well under a second when nothing
# is missing. Needs root (or sudo) only when something must be installed.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

PKGS=(
  # LLVM/MLIR 22 toolchain: headers, libMLIR.so, mlir-opt, FileCheck, lit.
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  # Build tools.
  cmake ninja-build ccache make
  # Sanitizer and libFuzzer runtimes (make check-sanitize, make fuzz).
  libclang-rt-22-dev
  # ONNX importer (protobuf comes with it) and ONNX's operator conformance tests.
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  # .npz calibration data (NumPy's zip archives of .npy files).
  libzip-dev
  # AArch64 cross testing.
  qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  # Bit-exact fixed-point reference for the requantization unit tests.
  libgemmlowp-dev
  # GoogleTest for C++ unit tests.
  libgtest-dev
  # Test comparisons and data generation (system python3); the Python
  # module (pybind11).
  python3 python3-numpy python3-dev pybind11-dev
  # `make wheel`'s test installs the wheel with pip into a virtual environment.
  python3-venv python3-pip
  # Headless rendering of the HTML quantization report in the tests.
  chromium
  # The ONNX conformance runner reads TensorProto test data with it.
  python3-onnx
  # Fashion-MNIST (the calibration-method accuracy test with the kit's
  # Fashion-MNIST models).
  dataset-fashion-mnist
  # LLVM's OpenMP runtime: multi-threaded models (qopt-run --threads,
  # qopt-compile --threads) call it through MLIR's OpenMP lowering.
  libomp-22-dev
)
# `install-deps.sh --bench`: also what bench/ compares against (oneDNN for
# the kernel benchmark; torchvision for EfficientNet-B0 and MobileNetV3;
# ONNX Runtime comes from npm in bench/run_bench.sh,
# which needs node and npm on the PATH).
if [ "${1:-}" = "--bench" ]; then
  PKGS+=(libdnnl-dev python3-torch python3-torchvision)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
