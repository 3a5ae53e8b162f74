# Alert-enrichment pipeline. `make help` lists the targets.
#
# BACKEND=dir|redis (default dir) picks the queue backend for demo, up and the stack targets.

BACKEND ?= dir
DEMO_SECONDS ?= 30
export BACKEND DEMO_SECONDS

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# Extra arguments for swift test, e.g. make test TEST_FLAGS='--filter RedisClientTests'.
TEST_FLAGS ?=

.PHONY: help build release test lint demo up down shell logs status bench chaos clean deps

help: ## List the targets.
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 10

build: ## Debug build (swift build).
	@bash scripts/check-deps.sh --quiet build
	swift build

release: ## Release build (swift build -c release).
	@bash scripts/check-deps.sh --quiet build
	swift build -c release

test: ## The whole test suite (swift test); the tests start their own Redis and mock API.
	@bash scripts/check-deps.sh --quiet test
	swift test $(TEST_FLAGS)

lint: ## swift format lint against .swift-format.
	@swift format --version >/dev/null 2>&1 || { \
		echo "error: 'swift format' is not available; it ships with the Swift 6 toolchain" >&2; exit 1; }
	swift format lint --strict --recursive Sources Tests Package.swift

demo: ## The pipeline as local processes for DEMO_SECONDS (30), then the summary.
	bash scripts/demo.sh

up: ## Start the services: Docker Compose when an engine answers, else local processes.
	bash scripts/stack.sh up

down: ## Stop what `make up` started.
	bash scripts/stack.sh down

shell: ## A shell with the stack's environment (QUEUE_BACKEND, REDIS_URL, ... and PATH).
	bash scripts/stack.sh shell

logs: ## The services' logs; LOGS_FOLLOW=0 prints the last lines and returns.
	bash scripts/stack.sh logs

status: ## Which services run, and monitor --once.
	bash scripts/stack.sh status

bench: ## Throughput and latency benchmark (scripts/bench.sh).
	@$(call run_script,bench)

chaos: ## Fault-injection run (scripts/chaos.sh).
	@$(call run_script,chaos)

clean: ## Remove the build and the run directories (after make down).
	@if compgen -G 'run/local/pids/*.pid' >/dev/null; then \
		echo "error: the local stack is running; run 'make down' first" >&2; exit 1; fi
	rm -rf .build run

deps: ## Install the Debian packages the project needs (apt-get; root or sudo).
	bash scripts/install-deps.sh

# Runs scripts/<name>.sh, or says plainly that it does not exist yet.
define run_script
if [[ -f scripts/$(1).sh ]]; then bash scripts/$(1).sh; \
else echo "error: make $(1): scripts/$(1).sh is not yet written" >&2; exit 2; fi
endef
