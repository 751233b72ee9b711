#!/usr/bin/env python3
"""Builds the seed corpus of qopt's fuzz targets from the repository's tests.

  make_corpus.py OUT_DIR

writes OUT_DIR/onnx-import (every .onnx under test/, the hostile models
included, and the kit's small models when ../shared/kit exists), OUT_DIR/npy (every .npy under test/, plus small hand-made headers
of each version and dtype) and OUT_DIR/mlir-passes (every split of every
.mlir test of the qnn dialect and its passes). Standard library only.
"""
import hashlib
import os
import shutil
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_BYTES = 256 * 1024  # libFuzzer's -max_len default is far below larger seeds


def put(out_dir, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)


def files(ext):
    for top, _, names in os.walk(os.path.join(ROOT, "test")):
        for n in sorted(names):
            if n.endswith(ext):
                yield os.path.join(top, n)


def npy(descr, shape, payload, version=1):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (
        descr, repr(tuple(shape)))
    header = header.encode() + b"\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + payload
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(header)) + header + payload


def main():
    out = sys.argv[1]
    dirs = {k: os.path.join(out, k) for k in ("onnx-import", "npy", "mlir-passes", "c-header", "html-report")}
    for d in dirs.values():
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    for path in files(".onnx"):
        data = open(path, "rb").read()
        if len(data) <= MAX_BYTES:
            put(dirs["onnx-import"], data)
    # The development kit's models, when it sits beside the checkout.
    kit = os.path.join(os.path.dirname(ROOT), "shared", "kit", "models")
    if os.path.isdir(kit):
        for n in sorted(os.listdir(kit)):
            data = open(os.path.join(kit, n), "rb").read()
            if n.endswith(".onnx") and len(data) <= MAX_BYTES:
                put(dirs["onnx-import"], data)
    for path in files(".npy"):
        data = open(path, "rb").read()
        if len(data) <= MAX_BYTES:
            put(dirs["npy"], data)
    for descr, size in (("<f4", 4), ("<f8", 8), ("|i1", 1), ("|u1", 1), ("<i4", 4), ("<i8", 8)):
        put(dirs["npy"], npy(descr, (2, 3), bytes(6 * size)))
        put(dirs["npy"], npy(descr, (), bytes(size), version=2))
    for sub in ("Dialect", "Conversion", "Pipelines"):
        for top, _, names in os.walk(os.path.join(ROOT, "test", sub)):
            for n in sorted(names):
                if not n.endswith(".mlir"):
                    continue
                text = open(os.path.join(top, n), encoding="utf-8").read()
                for part in text.split("// -----"):
                    data = part.encode()
                    if len(data) <= MAX_BYTES and b"func.func" in data:
                        put(dirs["mlir-passes"], data)
    # Names that reach the C header: NUL-separated (file name, inputs and
    # outputs alternately), with C, preprocessor and HTML syntax.
    for names in ((b"model.onnx", b"x", b"y"),
                  (b"m */.onnx", b"x */\n#error e\n/*", b'y"; system("id"); //'),
                  (b"a??/.onnx", b"int", b"batch", b"\xc3\xa9", b"", b"0x", b"_X"),
                  (b"<script>.onnx", b"<script>alert(1)</script>", b"INT8_MAX")):
        put(dirs["c-header"], b"\0".join(names))
        put(dirs["html-report"], b"\0".join(names + (b"qnn.conv2d", b"accuracy: <b>")))
    for k, d in dirs.items():
        print("%s: %d seeds" % (k, len(os.listdir(d))))


if __name__ == "__main__":
    main()
