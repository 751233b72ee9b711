// Stock mlir-opt with the plugin has qopt's passes but no JIT: asking
// --quantize-static to calibrate in process is an error that says what to do.
// Stock mlir-opt is not built with ASan, so it cannot load an ASan plugin.
// UNSUPPORTED: asan
// RUN: not %stock_mlir_opt %s --load-dialect-plugin=%qopt_libs/libQOptPlugin.so \
// RUN:   --load-pass-plugin=%qopt_libs/libQOptPlugin.so \
// RUN:   --pass-pipeline="builtin.module(quantize-static{calibration-data=%s})" 2>&1 | FileCheck %s

// CHECK: error: quantize-static: this tool cannot calibrate in process (it does not link the JIT); calibrate with qopt-run --calibrate, or use qopt
func.func @f(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %y = qnn.relu %x : (tensor<1x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
