# qopt's entry points. Every target installs missing Debian packages first
# (scripts/install-deps.sh is idempotent and fast when nothing is missing).
#
#   make demo    build, then run the main job on the bundled example
#   make check   build, then run every test
#   make build   build into build/ (tools in build/bin)
#   make docs    regenerate docs/generated from ODS

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

.PHONY: deps configure build check demo docs install clean

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

demo: build
	@bash examples/demo.sh $(BUILD_DIR)

docs: configure
	cmake --build $(BUILD_DIR) --target qopt-doc

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
