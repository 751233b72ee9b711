"""qopt: an MLIR quantization compiler for CPUs.

    import numpy as np, qopt
    model = qopt.load("model.onnx")
    int8 = model.quantize("static", calibration_data=np.load("calib.npy"))
    logits = int8(np.load("test.npy"))
    int8.compile("model.o", "model.h")

Models are immutable from Python's side: quantize() returns a new model and
keeps the float one (for sqnr()). Errors raise qopt.Error with qopt's
diagnostics.
"""
import json
import logging
import os
import time
import warnings as _warnings

import numpy as np

from ._qopt import Error
from ._qopt import Model as _Native

__all__ = ["Error", "Model", "from_torch", "load", "parse"]

_MODES = ("static", "dynamic", "weight-only", "qat")
_METHODS = ("minmax", "moving_average", "percentile", "entropy", "mse", "ksigma")


def load(path, input_shapes=None):
    """An .onnx or .mlir model. input_shapes: {"input": (1, 3, 224, 224)} or
    ["input:1x3x224x224"], fixing dynamic dimensions of ONNX inputs."""
    if isinstance(input_shapes, dict):
        input_shapes = ["%s:%s" % (k, "x".join("?" if d is None else str(d) for d in v))
                        for k, v in input_shapes.items()]
    return Model(_Native.load(os.fspath(path), list(input_shapes or [])))


def parse(text):
    """A model from MLIR text."""
    return Model(_Native.parse(text))


def from_torch(module, example_inputs, dynamic_batch=True, input_names=None,
               output_names=None, opset_version=13):
    """A model from a torch.nn.Module: exported with torch.onnx into memory
    (no file is written) and imported. example_inputs: a tensor or a tuple
    of tensors, one per forward() argument, at the shapes to compile.
    dynamic_batch keeps dimension 0 of every input and output dynamic (the
    batch); False compiles exactly the example's shapes. Names default to
    input/output (input0, input1, ... when there are several). The module is
    put in eval mode (dropout off, batch norm on its running statistics)."""
    import io
    try:
        import torch
    except ImportError as e:
        raise Error("from_torch needs PyTorch (import torch failed: %s)" % e)
    if not isinstance(module, torch.nn.Module):
        raise Error("from_torch takes a torch.nn.Module, not %s" % type(module).__name__)
    args = tuple(example_inputs) if isinstance(example_inputs, (tuple, list)) else (example_inputs,)
    if not args or not all(isinstance(a, torch.Tensor) for a in args):
        raise Error("example_inputs must be a tensor or a tuple of tensors")
    module.eval()
    with torch.no_grad():
        out = module(*args)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    if not all(isinstance(o, torch.Tensor) for o in outs):
        raise Error("from_torch needs forward() to return a tensor or a tuple of tensors")

    def names(given, base, n):
        if given is not None:
            given = list(given)
            if len(given) != n:
                raise Error("%s_names has %d names for %d %ss" % (base, len(given), n, base))
            return given
        return [base] if n == 1 else ["%s%d" % (base, i) for i in range(n)]

    ins, outs_names = names(input_names, "input", len(args)), names(output_names, "output", len(outs))
    dynamic = None
    if dynamic_batch:
        dynamic = {n: {0: "batch"} for n in ins + outs_names}
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module, args, buffer, input_names=ins, output_names=outs_names,
                          dynamic_axes=dynamic, opset_version=opset_version,
                          do_constant_folding=True)
    return Model(_Native.load_onnx_bytes(buffer.getvalue(), "%s (from torch)" % type(module).__name__,
                                         []))


def _array(a):
    """An input as the native module takes it: anything NumPy can read
    (byte order, strides and subclasses are handled there), torch tensors
    and other objects with __array__ or __dlpack__, except masked arrays,
    whose masked entries would be read as data."""
    if isinstance(a, np.ma.MaskedArray):
        raise Error("masked arrays are not supported: fill the masked entries "
                    "first (array.filled(value))")
    if isinstance(a, np.ndarray):
        return a
    if hasattr(a, "detach") and hasattr(a, "cpu") and hasattr(a, "numpy"):   # a torch tensor
        try:
            return a.detach().cpu().numpy()   # no copy for a CPU tensor
        except (TypeError, RuntimeError) as e:   # bfloat16, ...
            raise Error("cannot read a tensor of %s as an array (%s); convert it first, "
                        "e.g. tensor.float()" % (getattr(a, "dtype", "?"), e))
    if hasattr(a, "__array__"):
        return a
    if hasattr(a, "__dlpack__"):
        return np.from_dlpack(a)
    return a


def _is_array(a):
    return isinstance(a, np.ndarray) or hasattr(a, "__array__") or hasattr(a, "__dlpack__")


def _as_input_lists(data, what, specs):
    """One array per model input (`specs`: the model's inputs, in order),
    from: an array (a one-input model), a dict {input name: array}, a tuple
    or list with one array per input, or an iterable of such batches or
    samples (a list of arrays for a one-input model, a generator, a
    DataLoader). Batches are concatenated along the first dimension; samples
    of exactly the model's input shapes (a stateful model's feeds: an input
    and its recurrent state, whose batch axes differ) are stacked along a
    new leading axis, and each runs as one call."""
    names = [t["name"] for t in specs]
    n = len(names)

    def one_batch(b):
        if _is_array(b):
            if n != 1:
                raise Error("%s: the model takes %d inputs (%s); give a tuple or dict "
                            "with one array per input" % (what, n, ", ".join(names)))
            return [_array(b)]
        if isinstance(b, dict):
            missing = [k for k in names if k not in b]
            extra = [k for k in b if k not in names]
            if missing or extra:
                raise Error("%s: the model's inputs are %s; the dict %s%s" % (
                    what, ", ".join(names),
                    ("lacks " + ", ".join(missing)) if missing else "",
                    ((" and " if missing else "") + "has unknown " + ", ".join(map(str, extra))) if extra else ""))
            return [_array(b[k]) for k in names]
        if isinstance(b, (tuple, list)) and len(b) == n and all(_is_array(a) for a in b):
            return [_array(a) for a in b]
        raise Error("%s: expected an array, a dict or a tuple of %d array(s), got %s"
                    % (what, n, type(b).__name__))

    if _is_array(data) or isinstance(data, dict):
        return one_batch(data)
    # A tuple/list of n arrays for an n-input model (n > 1) is one batch;
    # for a one-input model, a list of arrays is a list of batches.
    if isinstance(data, (tuple, list)) and n > 1 and len(data) == n and \
            all(_is_array(a) for a in data):
        return one_batch(data)
    batches = [[np.asarray(a) for a in one_batch(b)] for b in data]
    if not batches:
        raise Error("%s is empty" % what)

    def fits(a, shape):
        return a.ndim == len(shape) and all(d is None or d == s for d, s in zip(shape, a.shape))

    batched = all(t["shape"] and t["shape"][0] is None for t in specs)
    exact = all(fits(a, t["shape"]) for b in batches for a, t in zip(b, specs))
    if exact and not batched:
        return [np.stack([b[i] for b in batches]) for i in range(n)]
    concatenable = all(a.ndim > 0 and a.shape[0] == b[0].shape[0] for b in batches for a in b)
    if not concatenable:
        raise Error("%s: the samples' inputs do not share a leading batch dimension, and "
                    "are not exactly the model's input shapes (%s) to run one by one"
                    % (what, ", ".join("%s %s" % (t["name"], tuple("N" if d is None else d for d in t["shape"]))
                                       for t in specs)))
    return [np.concatenate([b[i] for b in batches], axis=0) for i in range(n)]


class Model:
    """A model: run it (model(x), model.run(x, ...)), quantize it, measure it,
    compile it."""

    def __init__(self, native, float_model=None, warnings=()):
        self._m = native
        self._float = float_model
        self.warnings = list(warnings)
        self.quality = None
        self.precision = None

    @staticmethod
    def _numpy_types(specs):
        names = {"f32": "float32", "f64": "float64", "f16": "float16", "i1": "bool",
                 "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
                 "ui8": "uint8", "ui16": "uint16", "ui32": "uint32", "ui64": "uint64"}
        for t in specs:
            t["dtype"] = names.get(t["dtype"], t["dtype"])
        return specs

    @property
    def inputs(self):
        """The inputs: a list of dicts {name, shape (None: dynamic), dtype
        (NumPy's name)}."""
        return self._numpy_types(self._m.signature()[0])

    @property
    def outputs(self):
        """The outputs, as `inputs`."""
        return self._numpy_types(self._m.signature()[1])

    def __repr__(self):
        def fmt(t):
            shape = ", ".join("N" if d is None else str(d) for d in t["shape"])
            return "%s (%s) %s" % (t["name"], shape, t["dtype"])
        kind = "quantized" if self._float is not None else "float"
        return "<qopt.Model %s: %s -> %s>" % (kind, ", ".join(fmt(t) for t in self.inputs),
                                             ", ".join(fmt(t) for t in self.outputs))

    def _folded(self, warnings=None):
        """A copy after the graph passes every quantization starts with
        (what quantized models are compared against)."""
        m = self._m.clone()
        found = m.quantize({"mode": "static"}, [], prepare_only=True)
        if warnings is not None:
            warnings.extend(found)
        return m

    def _conformed(self, arrays, what):
        """`arrays` (one per input) with float64 and float16 arrays for
        float32 inputs converted, each with a UserWarning: float64 is
        NumPy's default (customary to narrow), float16 widens exactly. Other
        mismatches stay errors of the native module, raised before any
        compilation."""
        specs = self.inputs
        if len(specs) != len(arrays):
            return arrays
        out = []
        for a, spec in zip(arrays, specs):
            if spec["dtype"] == "float32" and not isinstance(a, np.ma.MaskedArray):
                dtype = getattr(a, "dtype", None)
                if dtype is not None and np.dtype(dtype) in (np.float64, np.float16):
                    _warnings.warn("qopt: %s for input '%s' is %s; converted to float32, the "
                                   "model's input type" % (what, spec["name"], np.dtype(dtype).name),
                                   UserWarning, stacklevel=3)
                    a = np.asarray(a, dtype=np.float32)
            out.append(a)
        return out

    @property
    def mlir(self):
        """The model as MLIR text (with locations)."""
        return str(self._m)

    def run(self, *inputs, batch_size=0):
        """Outputs (a list of arrays) for one array per model input
        (samples along the first dimension; or, for a model whose inputs
        share no batch dimension, along an extra leading axis, each sample
        one call, the outputs stacked the same way)."""
        return self._m.run(self._conformed([_array(a) for a in inputs], "the data"),
                           batch_size)

    def __call__(self, *inputs):
        outs = self.run(*inputs)
        return outs[0] if len(outs) == 1 else outs

    def quantize(self, mode="static", calibration_data=None, method="mse",
                 config=None, integer_only=False, min_sqnr=None, quality_check=True,
                 weight_bits=8, per_channel=True, activation_type="int8",
                 equalize=False, smooth_quant=False, rounding="nearest",
                 bias_correction=False, accuracy_target=None, accuracy_data=None, accuracy_labels=None,
                 eval_fn=None, accuracy_ranking="auto", group_size=0):
        """A quantized copy. mode: static (needs calibration_data), dynamic,
        weight-only, qat (lowers the model's fake quantization). config: a
        dict or JSON path of per-layer overrides ({"layers": [{"match": REGEX,
        "keep_float": True}]}). integer_only: fail unless the quantized model
        needs no float arithmetic (islands on 8-bit tensors become tables).
        Static mode also takes weight_bits (8 or 4), per_channel,
        activation_type ("int8", "uint8", "int16"), equalize (cross-layer
        equalization first: for per-tensor and 4-bit weights), smooth_quant
        (SmoothQuant first: outlier channels of gemm/matmul inputs moved into
        the weights; True for migration strength 0.5, a number in [0, 1], or
        "auto" for the best per input), rounding
        ("nearest", or "learned": GPTQ from the calibration data) and
        bias_correction (the weights' expected error taken out of the
        biases). See docs/accuracy-algorithms.md. weight_bits and
        per_channel apply to dynamic and weight-only too; both also take
        group_size (32, 64, 128...: Gemm/MatMul weights in blocks of that
        many along the reduction axis, one scale and zero point each; with
        mode='dynamic' the activations are int8 at run time, W4A8).

        accuracy_target chooses each layer's precision (the flow's weight
        bits, 8-bit weights, 16-bit activations, float) to meet a target
        with the fewest raised layers:
        "sqnr:DB", "agreement:FRACTION", "accuracy:PERCENT" or
        "accuracy-drop:POINTS" (with accuracy_labels), measured on
        accuracy_data (default: the calibration data); or, with eval_fn (a
        function of a qopt.Model returning a number, higher is better), a
        number (eval_fn must reach it) or "drop:X" (at most X below the
        float model's eval_fn). accuracy_ranking: "auto", "per-layer" (one
        evaluation per layer) or "isolated" (each layer quantized alone in
        the float model, one compile; the default above 32 layers). The
        choice is in `.precision` ({"summary", "config"}; the config
        reproduces it without the search).

        Static quantization ends with the quality guard: the result is
        measured against the float model on up to 64 calibration samples
        (output SQNR, weight sizes, the worst layer by its own error) into
        `.quality` (a dict; its "line" is logged on the "qopt" logger); below
        20 dB a UserWarning names the layer to keep float; with min_sqnr a
        lower output SQNR raises qopt.Error."""
        if mode not in _MODES:
            raise Error("unknown mode '%s' (one of %s)" % (mode, ", ".join(_MODES)))
        if method not in _METHODS:
            raise Error("unknown calibration method '%s' (one of %s)" % (method, ", ".join(_METHODS)))
        if mode == "static" and calibration_data is None:
            raise Error("static quantization needs calibration_data (arrays, one per model input)")
        if mode != "static" and (calibration_data is not None or config is not None):
            raise Error("calibration_data and config need mode='static'")
        if mode != "static" and (equalize or smooth_quant is not False or
                                 activation_type != "int8" or rounding != "nearest" or
                                 bias_correction):
            raise Error("activation_type, equalize, smooth_quant, "
                        "rounding and bias_correction need mode='static'")
        if mode == "qat" and (weight_bits != 8 or not per_channel):
            raise Error("weight_bits and per_channel need mode='static', 'dynamic' or "
                        "'weight-only'")
        if not isinstance(group_size, int) or group_size < 0:
            raise Error("group_size must be a non-negative integer, not %r" % (group_size,))
        if group_size and mode not in ("weight-only", "dynamic"):
            raise Error("group_size needs mode='weight-only' or 'dynamic' (static "
                        "quantization keeps per-channel weights)")
        smooth_alpha = None
        if smooth_quant is True:
            smooth_alpha = 0.5
        elif smooth_quant == "auto":
            smooth_alpha = -1.0
        elif smooth_quant is not False and smooth_quant is not None:
            try:
                smooth_alpha = float(smooth_quant)
            except (TypeError, ValueError):
                smooth_alpha = None
            if smooth_alpha is None or not 0.0 <= smooth_alpha <= 1.0:
                raise Error("smooth_quant must be True, False, 'auto' or a migration "
                            "strength in [0, 1], not %r" % (smooth_quant,))
        if rounding not in ("nearest", "learned"):
            raise Error("unknown rounding '%s' (nearest, learned)" % (rounding,))
        if weight_bits not in (4, 8):
            raise Error("weight_bits must be 8 or 4, not %r" % (weight_bits,))
        if integer_only and mode not in ("static", "qat"):
            raise Error("integer_only needs mode='static' or 'qat'")
        options = {"mode": mode, "method": method, "integer_only": bool(integer_only),
                   "weight_bits": int(weight_bits), "per_channel": bool(per_channel),
                   "activation_type": activation_type, "equalize": bool(equalize),
                   "rounding": rounding, "bias_correction": bool(bias_correction),
                   "group_size": int(group_size)}
        if smooth_alpha is not None:
            options["smooth_quant_alpha"] = smooth_alpha
        if config is not None:
            options["config"] = json.dumps(config) if isinstance(config, dict) else os.fspath(config)
        calibration_data_list = []
        if mode == "static":
            calibration_data_list = self._conformed(
                _as_input_lists(calibration_data, "calibration_data", self.inputs),
                "calibration_data")
        search = None
        if accuracy_target is not None or eval_fn is not None:
            if mode != "static":
                raise Error("accuracy_target and eval_fn need mode='static'")
            if config is not None:
                raise Error("accuracy_target chooses the per-layer config itself; give either "
                            "config or accuracy_target")
            if accuracy_target is None:
                raise Error("eval_fn needs accuracy_target (a number, or 'drop:X')")
            search = {}
            if eval_fn is not None:
                float_model = self._float or self
                search["eval"] = lambda native: float(eval_fn(Model(native, float_model=float_model)))
                if isinstance(accuracy_target, str) and accuracy_target.startswith("drop:"):
                    search["value"], search["relative"] = float(accuracy_target[5:]), True
                elif isinstance(accuracy_target, (int, float)):
                    search["value"], search["relative"] = float(accuracy_target), False
                else:
                    raise Error("with eval_fn, accuracy_target is a number or 'drop:X', not %r"
                                % (accuracy_target,))
            else:
                search["target"] = str(accuracy_target)
            if accuracy_ranking not in ("auto", "per-layer", "isolated"):
                raise Error("accuracy_ranking must be 'auto', 'per-layer' or 'isolated', not %r"
                            % (accuracy_ranking,))
            search["ranking"] = accuracy_ranking
            if accuracy_data is not None:
                search["data"] = self._conformed(
                    _as_input_lists(accuracy_data, "accuracy_data", self.inputs),
                    "accuracy_data")
            if accuracy_labels is not None:
                search["labels"] = _array(accuracy_labels)
        elif accuracy_data is not None or accuracy_labels is not None:
            raise Error("accuracy_data and accuracy_labels need accuracy_target")
        q = self._m.clone()
        log = logging.getLogger("qopt")
        log.info("qopt: quantizing (%s%s)", mode, ", %s calibration" % method if mode == "static" else "")
        started = time.monotonic()
        warnings, summary, chosen = q.quantize(options, calibration_data_list, False, search)
        log.info("qopt: quantized in %.1f s", time.monotonic() - started)
        result = Model(q, float_model=self._float or self, warnings=warnings)
        if search is not None:
            result.precision = {"summary": summary, "config": json.loads(chosen)}
            logging.getLogger("qopt").info(summary)
        for w in warnings:
            _warnings.warn(w, UserWarning, stacklevel=2)
        if min_sqnr is not None and (mode != "static" or not quality_check):
            raise Error("min_sqnr needs mode='static' and quality_check=True")
        if mode == "static" and quality_check:
            result.quality = self._folded().quality(q, calibration_data_list)
            logging.getLogger("qopt").info(result.quality["line"])
            if result.quality["warning"]:
                _warnings.warn(result.quality["warning"], UserWarning, stacklevel=2)
            if min_sqnr is not None and result.quality["output_sqnr_db"] < min_sqnr:
                raise Error("the quantized model's output SQNR (%.1f dB) is below min_sqnr=%g "
                            "(worst layer by own error: '%s', %s)"
                            % (result.quality["output_sqnr_db"], min_sqnr,
                               result.quality["worst_layer"], result.quality["worst_op"]))
        return result

    def sqnr(self, *inputs):
        """Per-layer SQNR of this quantized model against the float model it
        came from, on one array per model input: a list of dicts (name, op,
        elements, sqnr_db, max_abs_error), layers then outputs."""
        if self._float is None:
            raise Error("sqnr() needs a model returned by quantize()")
        folded = self._float._folded()
        return folded.sqnr(self._m, self._conformed([_array(a) for a in inputs], "the data"))

    def report(self, path, *inputs, labels=None, title="model"):
        """Writes the HTML quantization report (one self-contained page: per
        layer the activation histogram with its clipping range, the weight
        range per channel, SQNR and size; layers ranked worst first) of this
        quantized model on one array per model input; with labels (class
        indices) it also gives both models' accuracy."""
        if self._float is None:
            raise Error("report() needs a model returned by quantize()")
        folded = self._float._folded()
        folded.report(self._m, self._conformed([_array(a) for a in inputs], "the data"),
                      os.fspath(path),
                      None if labels is None else _array(labels), title)

    def size_report(self):
        """Weight bytes per layer, float vs as stored: a list of dicts."""
        return json.loads(self._m.size_report())

    def compile(self, object_path, header_path, target="x86_64-linux-gnu", cpu=None, name="qopt_model",
                threads=1):
        """An object file and a C header (as qopt-compile writes them). cpu:
        None compiles for this machine's CPU when `target` is its
        architecture (as qopt-compile does), else generic code; "generic"
        for a portable object; "multi" for x86-64 versions from the baseline
        to AVX-512 VNNI/VBMI in one object, the best chosen at the first
        call; or an LLVM CPU name (znver4, neoverse-n1).
        threads: 1 (sequential, no runtime), N, or 0 (OpenMP's default; link
        the object with -lomp)."""
        if cpu is None:
            import platform
            host = {"x86_64": "x86_64", "AMD64": "x86_64", "aarch64": "aarch64",
                    "arm64": "aarch64"}.get(platform.machine(), "")
            cpu = "native" if host and target.startswith(host) else "generic"
        log = logging.getLogger("qopt")
        log.info("qopt: compiling %s for %s (cpu %s, %d thread(s))", os.fspath(object_path),
                 target, cpu, threads)
        started = time.monotonic()
        self._m.compile(os.fspath(object_path), os.fspath(header_path), target, cpu, name, threads)
        log.info("qopt: compiled %s in %.1f s (%d bytes)", os.fspath(object_path),
                 time.monotonic() - started, os.path.getsize(object_path))
