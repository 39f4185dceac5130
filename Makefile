# Labelwise: `make app` starts the app on the shipped models, `make test` runs every test.
# Both install what they need on a fresh machine (npm packages, a Python venv, Debian's chromium).

SHELL := /bin/bash
PY := .venv/bin/python
NPM_ENV := ONNXRUNTIME_NODE_INSTALL=skip

.PHONY: app test check setup setup-node setup-python setup-browser lint test-python test-unit test-e2e models encoder-model bench

app: setup-node
	npm run build
	npm run preview

test: setup lint test-python test-unit test-e2e

# The fast check: lint, unit tests and pytest; needs neither root nor a browser.
check: lint test-python test-unit

setup: setup-node setup-python setup-browser

setup-node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	$(NPM_ENV) npm ci --no-audit --no-fund
	touch $@

setup-python: .venv/.installed
.venv/.installed: train/requirements.txt train/requirements-encoder.txt train/requirements-batch.txt
	python3 -m venv .venv
	$(PY) -m pip install -q -r train/requirements.txt
	$(PY) -m pip install -q -r train/requirements-batch.txt
	$(PY) -m pip install -q --no-deps --require-hashes -r train/requirements-encoder.txt
	touch $@

setup-browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: setup-node setup-python
	.venv/bin/ruff check train bench tests/python labelwise_batch
	.venv/bin/ruff format --check train bench tests/python labelwise_batch
	npm run lint

test-python: setup-python
	$(PY) -m pytest

test-unit: setup-node setup-python
	npm run test:unit

test-e2e: setup-node setup-browser
	npm run test:e2e

# Rebuild the shipped models from scratch on a CPU (deterministic under the fixed seed; hours on 2 cores).
models: setup-python
	bash train/build_models.sh

# The pretrained encoder's model folder alone (deterministic; under a minute).
encoder-model: setup-python
	$(PY) -m train.export_encoder --out public/models/minilm-encoder

bench: setup
	npm run bench
