#!/usr/bin/env python3
"""Packs the built Python module into a wheel that pip installs.

  make_wheel.py BUILD_DIR OUT_DIR [--version V]

BUILD_DIR/python/qopt holds the module as the build leaves it (__init__.py
and the compiled _qopt extension, which links qopt statically and finds
Debian's libMLIR/libLLVM 22 and libonnx where the build did). The wheel
(PEP 427: a zip with a .dist-info directory) is tagged for this Python and
platform and needs NumPy; it installs on machines with the same Debian
packages as the build (scripts/install-deps.sh). Prints the wheel's path.
"""
import argparse
import base64
import glob
import hashlib
import os
import sys
import sysconfig
import zipfile

p = argparse.ArgumentParser()
p.add_argument("build_dir")
p.add_argument("out_dir")
p.add_argument("--version", default="0.1.0")
a = p.parse_args()

src = os.path.join(a.build_dir, "python", "qopt")
ext = glob.glob(os.path.join(src, "_qopt*.so"))
init = os.path.join(src, "__init__.py")
if len(ext) != 1 or not os.path.exists(init):
    sys.exit("make_wheel: %s does not hold a built module (__init__.py and one "
             "_qopt*.so); build first (make build)" % src)

# cp311-cp311-linux_x86_64 for CPython 3.11 on x86-64 Linux.
impl = "cp%d%d" % sys.version_info[:2]
platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
tag = "%s-%s-%s" % (impl, impl, platform)
name = "qopt-%s-%s.whl" % (a.version, tag)
info = "qopt-%s.dist-info" % a.version

files = {
    "qopt/__init__.py": open(init, "rb").read(),
    "qopt/" + os.path.basename(ext[0]): open(ext[0], "rb").read(),
    info + "/METADATA": (
        "Metadata-Version: 2.1\n"
        "Name: qopt\n"
        "Version: %s\n"
        "Summary: MLIR-based int8 quantization compiler for ONNX models\n"
        "Requires-Python: ==%d.%d.*\n"
        "Requires-Dist: numpy\n" % ((a.version,) + sys.version_info[:2])).encode(),
    info + "/WHEEL": (
        "Wheel-Version: 1.0\n"
        "Generator: qopt make_wheel.py\n"
        "Root-Is-Purelib: false\n"
        "Tag: %s\n" % tag).encode(),
    info + "/top_level.txt": b"qopt\n",
}


def digest(data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + h.decode()


record = "".join("%s,%s,%d\n" % (path, digest(data), len(data))
                 for path, data in files.items())
record += info + "/RECORD,,\n"
files[info + "/RECORD"] = record.encode()

os.makedirs(a.out_dir, exist_ok=True)
out = os.path.join(a.out_dir, name)
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for path, data in files.items():
        zi = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
        # The extension must stay executable once unpacked.
        zi.external_attr = (0o755 if path.endswith(".so") else 0o644) << 16
        zi.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(zi, data)
print(out)
