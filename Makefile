# Berth: make setup | build | run | test | bench
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:5000
DATA ?= ./data

.PHONY: setup build build-asan run test unit e2e bench clean

setup:
	bash scripts/setup.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBERTH_ASAN_DIR=$(abspath $(ASAN_BUILD))

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBERTH_SANITIZE=ON

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

build-asan: $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)

run: setup build
	./$(BUILD)/berth serve --listen $(LISTEN) --data-dir $(DATA)

test: setup build build-asan
	cd $(BUILD) && ctest --output-on-failure --timeout 900

bench: setup build
	/usr/bin/python3 bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
