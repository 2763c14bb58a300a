# The README's commands. `make run` and `make test` set everything up on a fresh clone.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
NHSUK := node_modules/nhsuk-frontend/dist/nhsuk
FRONTEND := build/frontend

# Local runs need no secrets; production settings refuse to start without them.
export DJANGO_LOCAL ?= 1

.PHONY: install run serve test test-postgres test-redis test-browser lint format migrations-check \
        check-deploy seed bench bench-load ci clean

install: $(VENV)/.installed $(FRONTEND)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Only the compiled NHS.UK files are served: copying the whole dist folder into
# static files would mean collecting about 1,500 files.
$(FRONTEND)/.installed: node_modules/.installed
	rm -rf $(FRONTEND)
	mkdir -p $(FRONTEND)/static/nhsuk $(FRONTEND)/root
	cp $(NHSUK)/nhsuk-frontend.min.css $(NHSUK)/nhsuk-frontend.min.css.map \
	   $(NHSUK)/nhsuk-frontend.min.js $(NHSUK)/nhsuk-frontend.min.js.map $(FRONTEND)/static/nhsuk/
	cp -r $(NHSUK)/assets $(FRONTEND)/root/assets
	touch $@

seed: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_framework --if-empty

run: seed
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# A secret key for `make serve` only, made once and kept out of git.
LOCAL_SECRET := var/local-secret-key
$(LOCAL_SECRET):
	mkdir -p $(@D)
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# The production configuration on loopback: gunicorn with the repository's config file,
# DEBUG off, hashed and compressed static files. Plain HTTP, so no HTTPS redirect and no
# secure-only cookies; everything else as in production. The files it writes name the
# loopback address they are served from, which the deploy check (rightly) refuses, and
# which is why this target never runs it.
SERVE_ENV = DJANGO_LOCAL=0 DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 \
	DJANGO_PUBLIC_URL=http://127.0.0.1:$(PORT) \
	DJANGO_SECRET_KEY="$$(cat $(LOCAL_SECRET))"

serve: seed $(LOCAL_SECRET)
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput -v0
	$(SERVE_ENV) PORT=$(PORT) $(BIN)/gunicorn --config framework_site/gunicorn.conf.py

# The suite on TEST_WORKERS processes (one per core here). Each worker takes whole files
# (module-scoped fixtures are built once) in pytest-django's order: tests inside a
# transaction first, then those that commit and empty the database, then the rest.
TEST_WORKERS ?= 2
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test: install
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

# The whole suite again on a throwaway PostgreSQL 15 server.
test-postgres: install
	scripts/with-postgres.sh $(BIN)/python -m pytest $(PYTEST_PARALLEL)

# The cache tests against a throwaway Redis server.
# Two files, run in one process: workers would cost more to start than they save.
test-redis: install
	scripts/with-redis.sh $(BIN)/python -m pytest tests/test_cache.py tests/test_page_cache_servers.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Production settings as a real deployment sets them, with made-up values.
check-deploy: install
	DJANGO_LOCAL=0 DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-value \
	  DJANGO_ALLOWED_HOSTS=framework.example.org DJANGO_PUBLIC_URL=https://framework.example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

# Every page type beside a static file, cached and uncached, at 1x, 10x and 100x data,
# with wrk; writes docs/performance.md. Not a test, and not run in CI.
bench: install
	command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python scripts/bench.py

# The seed loader's timings and query counts, on a throwaway SQLite file.
bench-load: install
	$(BIN)/python scripts/bench_load.py

ci: lint migrations-check check-deploy test test-postgres test-redis

clean:
	rm -rf $(VENV) node_modules build staticfiles var db.sqlite3
