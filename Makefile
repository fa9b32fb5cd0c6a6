# The two commands a newcomer needs are `make run` and `make test` (see README.md).
.PHONY: run test tools widget bench cluster clean

PORT ?= 8080
PEOPLE ?= 250000
BENCH_PEOPLE ?= 1000000
export PORT PEOPLE

## Build everything and serve the demo on 127.0.0.1:$(PORT) (SQLite in ./data/).
run:
	scripts/run.sh

## Everything: fmt, clippy, wasm builds, all tests on SQLite and PostgreSQL, browser tests.
test:
	scripts/test.sh

## Search benchmarks over the demo set (BENCH_PEOPLE=1000000): in-process, PostgreSQL SQL, HTTP (wrk).
bench:
	PEOPLE=$(BENCH_PEOPLE) scripts/bench.sh

## A throwaway PostgreSQL + PgBouncer + 3 replicas on spare ports (until Ctrl-C).
cluster:
	cargo build --locked -p quarry-server
	scripts/cluster.sh start target/cluster 3 && trap 'scripts/cluster.sh stop target/cluster' EXIT INT TERM && echo "Ctrl-C stops the cluster" && sleep infinity

## Install the pinned build tools (rustup target, trunk, wasm-bindgen-cli, wasm-opt).
tools:
	scripts/tools.sh

## Build the widget for release into dist/.
widget: tools
	PATH="$(CURDIR)/.tools/binaryen/node_modules/.bin:$$PATH" TRUNK_SKIP_VERSION_CHECK=true trunk build --release --offline

clean:
	cargo clean
	rm -rf dist .tools
