# totalplace — make help lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/totalplace/web/static/vendor/VERSIONS
DEMO := demo-workspace

.PHONY: help demo serve engines browser test lint typecheck check bench eval reliability clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(ASSETS): web/package.json web/package-lock.json web/app.scss scripts/build-web-assets.sh
	bash scripts/build-web-assets.sh

demo: $(STAMP) $(ASSETS) ## Make a virtualenv, install, count the bundled example place (Hyndburn), appraise two scenarios and cost a customer journey
	rm -rf $(DEMO) && cp -r examples/hyndburn $(DEMO)
	$(BIN)/totalplace import --workspace $(DEMO)
	$(BIN)/totalplace classify --workspace $(DEMO)
	$(BIN)/totalplace count --workspace $(DEMO) --export $(DEMO)/count.xlsx
	$(BIN)/totalplace count --by ward --workspace $(DEMO) > /dev/null
	$(BIN)/totalplace trend --workspace $(DEMO) --shunting --export $(DEMO)/trend.xlsx --charts $(DEMO)/trend-charts
	$(BIN)/totalplace outcomes --workspace $(DEMO) --export $(DEMO)/outcomes.xlsx --charts $(DEMO)/outcome-charts
	$(BIN)/totalplace link --workspace $(DEMO) --top 10
	$(BIN)/totalplace opportunities --workspace $(DEMO) --summary --export $(DEMO)/opportunities.xlsx
	$(BIN)/totalplace integrity --workspace $(DEMO) --summary
	$(BIN)/totalplace scenario run shared-back-office --workspace $(DEMO) --export $(DEMO)/shared-back-office.xlsx
	$(BIN)/totalplace scenario run early-help-for-families --workspace $(DEMO) --export $(DEMO)/early-help-for-families.xlsx
	$(BIN)/totalplace scenario compare shared-back-office early-help-for-families --workspace $(DEMO)
	$(BIN)/totalplace journey run older-people-after-a-fall --workspace $(DEMO) --export $(DEMO)/older-people-after-a-fall.xlsx

serve: $(STAMP) $(ASSETS) ## Serve the web service on the demo workspace (after make demo) with a demo account per role; Ctrl-C stops it
	$(BIN)/totalplace serve --workspace $(DEMO) --demo

engines: ## Install what the PostgreSQL and Spark engines need (Debian postgresql, Java 17), if missing
	bash scripts/install-engines.sh

browser: ## Install what the browser tests need (Debian chromium and fonts), if missing
	bash scripts/install-browser.sh

test: $(STAMP) $(ASSETS) engines browser ## Run the whole test suite on DuckDB, PostgreSQL and Spark, and the web app in chromium (reads ../shared/realdata)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest -n 2 -q --durations=25

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP) ## mypy on src/
	$(BIN)/mypy src

check: lint typecheck test ## Everything CI cares about, and style

bench: $(STAMP) $(ASSETS) engines ## Import, linking, memory, Monte Carlo and web (50 users on loopback) benches, then the national run: a synthetic England (ROWS=10000000) classified and counted on DuckDB and Spark
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_link.py
	$(BIN)/python bench/bench_memory.py
	$(BIN)/python bench/bench_montecarlo.py
	$(BIN)/python bench/bench_web.py
	$(BIN)/python bench/bench_integrity.py --rows $(or $(ROWS),10000000) --spark-rows $(or $(SPARK_ROWS),1000000)
	$(BIN)/python bench/bench_national.py --rows $(or $(ROWS),10000000)

reliability: $(STAMP) ## Kills, Ctrl-C, 1,000 fuzzed files, broken place.toml: a table; about 25 min on 2 cores (QUICK=1: a few)
	$(BIN)/python -m tests.reliability $(if $(QUICK),--quick,)

eval: $(STAMP) ## Linking precision/recall on labelled pairs (every split, beside a token-set baseline); theme coverage per publisher (needs ../shared/realdata)
	$(BIN)/python -m totalplace.link.scoreboard
	$(BIN)/python -m totalplace.classify.evaluate
	$(BIN)/python -m totalplace.integrity.evaluate

clean: ## Remove the virtualenv, demo workspace and caches
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache bench/out test-artifacts
