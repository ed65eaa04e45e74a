# fnn build. `make` builds the tools and converts Fashion-MNIST into data/; `make test` runs the
# doctest suite; `make bench` prints speed figures. Standard variables work: CXX, CXXFLAGS,
# CPPFLAGS, LDFLAGS, PREFIX.

CXX ?= g++
CXXFLAGS ?= -O3 -march=native -g
PREFIX ?= /usr/local

# Flags fnn needs whatever CXXFLAGS says: reproducible float arithmetic (no contraction into
# FMA, errno-free sqrt so loops vectorise; never -ffast-math) and warnings as errors.
FNN_FLAGS := -std=c++17 -ffp-contract=off -fno-math-errno -Iinclude \
             -Wall -Wextra -Wshadow -Werror -MMD -MP
# The library is exception- and RTTI-free, so it builds for targets that have neither.
LIB_FLAGS := -fno-exceptions -fno-rtti

BUILD := build
CACHE := .cache

LIB_SRCS := $(filter-out src/main.cpp src/cli_%.cpp,$(wildcard src/*.cpp))
CLI_SRCS := src/main.cpp $(wildcard src/cli_*.cpp)
TEST_SRCS := $(wildcard tests/test_*.cpp)

LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/%.o)
CLI_OBJS := $(CLI_SRCS:%.cpp=$(BUILD)/%.o)
TEST_OBJS := $(TEST_SRCS:%.cpp=$(BUILD)/%.o)

.PHONY: all test bench clean
all: libfnn.a

libfnn.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/src/%.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(FNN_FLAGS) $(LIB_FLAGS) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# --- tests -------------------------------------------------------------------------------
# doctest comes from Debian's doctest-dev: the installed header if present, otherwise the
# package is downloaded (no root needed) and unpacked into the build cache.
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
	cd $(CACHE)/doctest && apt-get download doctest-dev && dpkg-deb -x doctest-dev_*.deb .
	@test -f $@ || { echo "could not get doctest: install Debian's doctest-dev" >&2; exit 1; }

$(BUILD)/tests/%.o: tests/%.cpp $(DOCTEST_HEADER)
	@mkdir -p $(dir $@)
	$(CXX) $(FNN_FLAGS) $(DOCTEST_INCLUDE) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/fnn_tests: $(TEST_OBJS) libfnn.a
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $(TEST_OBJS) libfnn.a -o $@

test: $(BUILD)/fnn_tests
	$(BUILD)/fnn_tests

clean:
	rm -rf $(BUILD) libfnn.a fnn fnnpack

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
