# Two commands: `make run` (the demo, no servers needed) and `make test` (the whole suite).
# `make test-fast` leaves out the browser and slow tests (the edit-test loop); `make lint` checks style and imports.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?= sferum-demo
# The demo's settings; the web server's and worker's own default is production (wsgi.py, celery.py).
DEV_SETTINGS := sferum_admin.settings.base
export DEMO_PASSWORD

.PHONY: run test test-fast venv lint demo-data clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

demo-data: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

# Creates the virtualenv, installs, migrates, seeds the demo, starts the background
# worker (with beat, consuming every queue: default, sync, metrics) and the web server; Ctrl+C stops both.
run: demo-data
	@mkdir -p var/celery/queue var/celery/processed
	@DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-$(DEV_SETTINGS)} $(VENV)/bin/celery -A sferum_admin worker --beat -Q default,sync,metrics --concurrency=1 --loglevel=warning \
		--schedule=var/celerybeat-schedule > var/worker.log 2>&1 & \
	worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo ""; \
	echo "  Sferum dashboard: http://$(HOST):$(PORT)/"; \
	echo "  Demo logins (password: $(DEMO_PASSWORD)):"; \
	echo "    demo_admin      school administrator"; \
	echo "    demo_teacher    teacher (class teacher)"; \
	echo "    demo_municipal  municipal administrator"; \
	echo "    demo_regional   regional administrator"; \
	echo "  Background worker log: var/worker.log"; \
	echo ""; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

test: venv
	$(VENV)/bin/pytest -q -n 2

test-fast: venv
	$(VENV)/bin/pytest -q -n 2 -m "not browser and not slow"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles
