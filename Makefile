# readyinstall: plain make. Variants re-invoke $(MAKE) with another BUILD.
#   make            build bin/readyinstall (and bin/readyinstall-render)
#   make test       install what is missing, then run every test suite
#   make demo       install what is missing, then run the bundled example
#   make asan       all tests with address + undefined-behaviour sanitizers
#   make valgrind   the golden tests under valgrind memcheck
#   make bench      render/graph/lint against libyaml, cat, kubectl kustomize
#                   (seconds, RSS, and instructions under callgrind)
#   make fuzz       libFuzzer targets (clang); make fuzz-run T=name SECS=60
#   make fuzz-replay  replay testdata/fuzz/<target>/ under gcc + sanitizers

VERSION   := 0.1.0
BUILD     ?= build/release
BINDIR    ?= bin
CC        ?= cc
WERROR    ?= 1
PKGS      := yaml-0.1 libcurl json-c openssl
V         ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl is loaded when a command first talks to a cluster (src/kube/curl_api.c):
# linked, it and the libraries it needs were most of every run's start.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null) -ldl
CUNIT_LIBS := $(shell pkg-config --libs cunit 2>/dev/null || echo -lcunit)

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
        -Wwrite-strings -Wformat=2 -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT      ?= -O2 -g
CFLAGS   += -std=c11 -pthread $(OPT) $(WARN) $(SAN)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude -Isrc \
            -DRI_VERSION='"$(VERSION)"' $(DEFS) $(PKG_CFLAGS) -MMD -MP
LDFLAGS  += -pthread $(SAN)
LDLIBS   += $(PKG_LIBS)

CORE_SRC := $(wildcard src/util/*.c src/manifest/*.c src/model/*.c \
                       src/order/*.c src/render/*.c src/graph/*.c \
                       src/output/*.c src/helm/*.c src/mutate/*.c \
                       src/kube/*.c src/lint/*.c src/install/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)
FUZZ_SRC := $(wildcard tests/fuzz/*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
LIBCORE  := $(BUILD)/libcore.a
PROG     := $(BINDIR)/readyinstall
UNIT     := $(BUILD)/unit_tests

HELM_DIR := .tools/helm
HELM3    := $(HELM_DIR)/3.18.0/helm
HELM4    := $(HELM_DIR)/4.1.4/helm
KUBECTL  := $(HELM_DIR)/4.1.4/kubectl

.SECONDARY:
.PHONY: all deps helm demo test check unit golden golden-update asan \
        valgrind clean distclean fuzz fuzz-run fuzz-replay bench
all: $(PROG) $(BINDIR)/readyinstall-render

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBCORE): $(CORE_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(PROG): $(CLI_OBJ) $(LIBCORE)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIBCORE) $(LDLIBS)

$(BINDIR)/readyinstall-render: $(PROG)
	$(Q)ln -sf readyinstall $@

# the client test driver, run by tests/integration/test_kube_client.sh
KUBE_PROBE := $(BUILD)/kube_probe
KUBE_PROBE_OBJ := $(BUILD)/tests/kube/kube_probe.o $(BUILD)/src/cli/kube_env.o
$(KUBE_PROBE): $(KUBE_PROBE_OBJ) $(LIBCORE)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(KUBE_PROBE_OBJ) $(LIBCORE) $(LDLIBS)

# opts.c is CLI code, tested directly
UNIT_LINK := $(UNIT_OBJ) $(BUILD)/src/cli/opts.o $(LIBCORE)
$(UNIT): $(UNIT_LINK)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $(UNIT_LINK) $(LDLIBS) $(CUNIT_LIBS)

# ---- fuzzing (STYLE.md §5): libFuzzer with clang, replay with gcc --------
FUZZ_TARGETS := manifest_parse render_pipeline lint lint_config kubeconfig kube_json classify doctor certcheck wait
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
T    ?= manifest_parse
SECS ?= 60

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIBCORE)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) $(FUZZ_LINK) -o $@ $^ $(LDLIBS)

$(BUILD)/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/standalone.o $(LIBCORE)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz:
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang OPT="-O1 -g" \
	  SAN="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" FUZZ_LINK=-fsanitize=fuzzer \
	  $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)

fuzz-run: fuzz
	@mkdir -p build/fuzz/corpus/$(T) build/fuzz/artifacts
	build/fuzz/fuzz_$(T) -max_total_time=$(SECS) -timeout=10 -rss_limit_mb=2048 \
	  -artifact_prefix=build/fuzz/artifacts/ build/fuzz/corpus/$(T) testdata/fuzz/$(T)

fuzz-replay:
	@$(MAKE) --no-print-directory BUILD=build/replay OPT="-O1 -g" \
	  SAN="$(FUZZ_SAN)" $(FUZZ_TARGETS:%=build/replay/replay_%)
	@for t in $(FUZZ_TARGETS); do build/replay/replay_$$t testdata/fuzz/$$t || exit 1; done

# ---- benchmarks (timing lives here, never in pass/fail tests) -----------
build/bench/yaml_scan: bench/yaml_scan.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -O2 $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

bench: deps helm all build/bench/yaml_scan
	@bench/run.sh

deps:
	@scripts/install-deps.sh

helm:
	@scripts/fetch-helm.sh $(HELM_DIR)

# Each suite records its counts; run-tests.sh prints the closing summary.
test check: deps helm
	@$(MAKE) --no-print-directory all $(UNIT) $(KUBE_PROBE)
	@RI_BIN=$(abspath $(PROG)) UNIT=$(abspath $(UNIT)) \
	  KUBE_PROBE=$(abspath $(KUBE_PROBE)) \
	  HELM3=$(abspath $(HELM3)) HELM4=$(abspath $(HELM4)) \
	  KUBECTL=$(abspath $(KUBECTL)) \
	  scripts/run-tests.sh $(SUITES)

unit: all $(UNIT)
	@RI_BIN=$(abspath $(PROG)) UNIT=$(abspath $(UNIT)) scripts/run-tests.sh unit

golden: all
	@RI_BIN=$(abspath $(PROG)) scripts/run-tests.sh golden

golden-update: all
	@RI_BIN=$(abspath $(PROG)) scripts/golden.sh --update render graph lint

# The integration tests also need the plugin's own bin/ (release build).
asan:
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build/asan BINDIR=build/asan/bin \
	  OPT="-O1 -g" DEFS="-DARENA_DEBUG" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  test

valgrind: all
	@RI_BIN=$(abspath $(PROG)) RI_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
	  scripts/run-tests.sh golden

demo: deps helm all
	@scripts/demo.sh

clean:
	rm -rf build bin

distclean: clean
	rm -rf .tools

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) \
         $(KUBE_PROBE_OBJ:.o=.d) \
         $(FUZZ_SRC:%.c=$(BUILD)/%.d)
