# qopt's entry points. Every target installs missing Debian packages first
# (scripts/install-deps.sh is idempotent and fast when nothing is missing).
#
#   make demo    build, then run the main job on the bundled example
#   make check   build, then run every test
#   make check-conformance   the full quantization conformance list
#   make build   build into build/ (tools in build/bin)
#   make docs    regenerate docs/generated from ODS
#   make wheel   the Python module as a wheel in dist/ (pip install dist/qopt-*.whl)
#   make check-sanitize   ASan + UBSan build in build-sanitize/, every test,
#                         then each fuzz target for FUZZ_SECONDS
#   make fuzz    only the fuzz runs (FUZZ_SECONDS per target, default 60)

SHELL     := /bin/bash
BUILD_DIR ?= build
LLVM_DIR  := /usr/lib/llvm-22
JOBS      ?= $(shell nproc)

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
  -DLLVM_USE_LINKER=lld \
  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
  -DLLVM_EXTERNAL_LIT=$(LLVM_DIR)/bin/lit \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  -DCMAKE_INSTALL_PREFIX=$(abspath $(BUILD_DIR))/install

# The sanitizer build: qopt's libraries, tools and tests with ASan + UBSan,
# and libFuzzer coverage so that the fuzz targets link libFuzzer. libMLIR.so
# is not instrumented: its inlined allocators poison memory that it then
# moves, hence allow_user_poisoning=0.
SAN_DIR      ?= build-sanitize
FUZZ_SECONDS ?= 60
SAN_FLAGS := $(CMAKE_FLAGS) -DCMAKE_INSTALL_PREFIX=$(abspath $(SAN_DIR))/install \
  "-DLLVM_USE_SANITIZER=Address;Undefined" \
  "-DLLVM_UBSAN_FLAGS=-fsanitize=undefined -fno-sanitize=vptr,function -fno-sanitize-recover=all" \
  -DLLVM_USE_SANITIZE_COVERAGE=ON
export ASAN_OPTIONS  ?= allow_user_poisoning=0:quarantine_size_mb=0:detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
FUZZERS := onnx-import npy mlir-passes c-header html-report

.PHONY: deps configure build check demo docs install clean check-sanitize \
        build-sanitize fuzz check-conformance wheel

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	@bash scripts/install-deps.sh
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

check: build
	cmake --build $(BUILD_DIR) --target check-qopt -j $(JOBS)

# The full quantization conformance list (every op, both contexts, every
# calibration method and mode); `make check` runs its fast subset.
check-conformance: build
	PATH=$(abspath $(BUILD_DIR))/bin:$$PATH /usr/bin/python3 \
	  test/QuantConformance/quant_conformance.py --full \
	  --work $(BUILD_DIR)/quant-conformance

demo: build
	@bash examples/demo.sh $(BUILD_DIR)

docs: configure
	cmake --build $(BUILD_DIR) --target qopt-doc

wheel: build
	/usr/bin/python3 python/make_wheel.py $(BUILD_DIR) dist

install: build
	cmake --install $(BUILD_DIR)

$(SAN_DIR)/build.ninja:
	@bash scripts/install-deps.sh
	cmake -S . -B $(SAN_DIR) $(SAN_FLAGS)

build-sanitize: deps $(SAN_DIR)/build.ninja
	cmake --build $(SAN_DIR) -j $(JOBS)

check-sanitize: build-sanitize
	cmake --build $(SAN_DIR) --target check-qopt -j $(JOBS)
	$(MAKE) --no-print-directory fuzz

fuzz: build-sanitize
	@mkdir -p $(SAN_DIR)/fuzz-corpus $(SAN_DIR)/fuzz-artifacts
	/usr/bin/python3 fuzz/make_corpus.py $(SAN_DIR)/fuzz-corpus/seeds
	@set -e; for f in $(FUZZERS); do \
	  mkdir -p $(SAN_DIR)/fuzz-corpus/$$f; \
	  echo "fuzz: qopt-$$f-fuzzer for $(FUZZ_SECONDS) s"; \
	  $(SAN_DIR)/bin/qopt-$$f-fuzzer -max_total_time=$(FUZZ_SECONDS) \
	    -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix=$(SAN_DIR)/fuzz-artifacts/$$f- \
	    $(SAN_DIR)/fuzz-corpus/$$f $(SAN_DIR)/fuzz-corpus/seeds/$$f \
	    2>&1 | grep -E "^(stat::|#[0-9]+ *DONE|==[0-9]+==|SUMMARY|INFO: a corpus)" ; \
	  test $${PIPESTATUS[0]} -eq 0; \
	done

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR)
