# -*- Python -*-
# lit configuration for qopt's regression tests.
import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "QOPT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qopt_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "in_scope.txt", "expected_failures.txt", "run_node_tests.py", "make_in_scope.py",
                   "lit.site.cfg.py", "Inputs", "Utils"]

config.environment["FILECHECK_OPTS"] = "-enable-var-scope"
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "CCACHE_DIR", "ASAN_OPTIONS",
                                     "UBSAN_OPTIONS", "LSAN_OPTIONS"])
# The sanitizer build (make check-sanitize): tests that cannot work there
# (stock mlir-opt loading an ASan-built plugin, ulimit on address space,
# linking uninstrumented consumers) say `UNSUPPORTED: asan`.
if "Address" in getattr(config, "llvm_use_sanitizer", ""):
    config.available_features.add("asan")
llvm_config.use_default_substitutions()
# `not` and `count` at the start of a RUN line are found on PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

config.substitutions.append(("%qopt_src", config.qopt_src_root))
config.substitutions.append(("%qopt_bin", config.qopt_tools_dir))
config.substitutions.append(("%qopt_obj", config.qopt_obj_root))
config.substitutions.append(("%qopt_libs", config.qopt_lib_dir))
config.substitutions.append(("%mlir_dir", config.mlir_dir))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(
    ("%stock_mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")))

llvm_config.add_tool_substitutions(
    ["qopt", "qopt-translate", "qopt-run", "qopt-compile", "mlir-opt", "mlir-runner", "mlir-translate",
     "qopt-onnx-import-fuzzer", "qopt-npy-fuzzer", "qopt-mlir-passes-fuzzer",
     "qopt-c-header-fuzzer", "qopt-html-report-fuzzer"],
    [config.qopt_tools_dir, config.llvm_tools_dir])

# The development kit (real models and data) sits beside the checkout on
# developer and CI machines; tests that need it say `REQUIRES: kit`.
# Tests that depend on the host's instruction set.
import platform
if platform.machine() in ("x86_64", "AMD64"):
    config.available_features.add("x86_64-host")

# Headless Chromium renders the HTML reports (scripts/install-deps.sh).
if shutil.which("chromium"):
    config.available_features.add("chromium")

# PyTorch and torchvision (Debian python3-torch, python3-torchvision;
# `scripts/install-deps.sh --bench`): qopt.from_torch's test. Not a
# dependency of the other tests.
import subprocess
if subprocess.run(["/usr/bin/python3", "-c",
                   "import importlib.util, sys; sys.exit(not (importlib.util.find_spec('torch') "
                   "and importlib.util.find_spec('torchvision')))"]).returncode == 0:
    config.available_features.add("torch")

# Fashion-MNIST images (Debian dataset-fashion-mnist) for accuracy tests.
if os.path.isdir("/usr/share/datasets/fashion-mnist"):
    config.available_features.add("fashion-mnist")

kit_dir = os.path.join(os.path.dirname(config.qopt_src_root), "shared", "kit")
if os.path.isdir(kit_dir):
    config.available_features.add("kit")
    config.substitutions.append(("%kit", kit_dir))
config.substitutions.append(
    ("%compare", "/usr/bin/python3 " + os.path.join(config.test_source_root,
                                                   "Utils", "compare_npy.py")))
