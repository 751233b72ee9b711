#!/usr/bin/env python3
"""readme_consumer.py README.md CONSUMER_DIR OUT: a CMake project in OUT
whose qopt part is the README's "Embedding qopt" CMake snippet, verbatim
(find_package + target_link_libraries on `mytool`, built from
CONSUMER_DIR/consumer.cpp), plus docs/embedding.md's quantization example
(CONSUMER_DIR/quantize.cpp, linked to QOpt::QOptCalibration). Fails when
the README has no such snippet."""
import os
import re
import shutil
import sys

readme, consumer, out = sys.argv[1:4]
text = open(readme).read()
section = text.split("## Embedding qopt", 1)
if len(section) != 2:
    sys.exit("README.md has no '## Embedding qopt' section")
match = re.search(r"```cmake\n(.*?)```", section[1], re.S)
if not match:
    sys.exit("README.md's 'Embedding qopt' section has no cmake block")
snippet = match.group(1)
os.makedirs(out, exist_ok=True)
for name in ("consumer.cpp", "quantize.cpp"):
    shutil.copy(os.path.join(consumer, name), out)
with open(os.path.join(out, "CMakeLists.txt"), "w") as f:
    f.write("cmake_minimum_required(VERSION 3.20)\n"
            "project(readme_consumer LANGUAGES CXX)\n"
            "add_executable(mytool consumer.cpp)\n"
            "# README.md, verbatim:\n" + snippet +
            "# docs/embedding.md: quantization with in-process calibration\n"
            "add_executable(quantize quantize.cpp)\n"
            "target_link_libraries(quantize PRIVATE QOpt::QOptCalibration)\n")
