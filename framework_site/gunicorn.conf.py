"""gunicorn's settings, for `make serve` and for production alike.

    gunicorn --config framework_site/gunicorn.conf.py

What differs between machines comes from the environment: BIND_ADDRESS (default
127.0.0.1) and PORT (default 8000) to listen on, WEB_CONCURRENCY worker processes
(default two per CPU plus one, at most 12) and GUNICORN_TIMEOUT seconds. Django's own
settings come from the DJANGO_* variables as usual.

The workers are synchronous and keep nothing between requests that an edit could make
stale (the little they keep is filed under the content generation, as in the shared
cache), so any number of them, on any number of machines, can serve the site side by
side: a proxy in front buffers slow clients and terminates TLS. The application is
loaded once, before the workers are forked from it, so replacing a worker (after about
ten thousand requests, so memory cannot creep up over weeks) costs a fork rather than a
second of importing Django. A new release therefore needs a restart, not a reload (HUP).
"""

import os
from pathlib import Path


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, in a container too
    except AttributeError:
        return os.cpu_count() or 1


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}.") from None


chdir = str(Path(__file__).resolve().parent.parent)
wsgi_app = "framework_site.wsgi:application"
# gunicorn's own default listens on every interface when PORT is set; this stays on
# loopback unless told otherwise.
bind = [f"{os.environ.get('BIND_ADDRESS', '127.0.0.1')}:{_whole_number('PORT', 8000)}"]
workers = _whole_number("WEB_CONCURRENCY", min(2 * _cpus() + 1, 12))
proc_name = "framework"

# A request that takes longer than this is stuck: its worker is killed and replaced.
timeout = _whole_number("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Loading Django in every new worker took about a second of a worker's time; at a
# thousand requests a worker that was a second lost for every second or two of load.
preload_app = True
max_requests = 10000
max_requests_jitter = 1000
# The heartbeat file on a RAM disk, so a slow or full disk never looks like a hung worker.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Self-assessment answers travel in the address: the largest role's full set with an
# earlier result comes to about 3,000 characters, near gunicorn's default request line
# of 4,094, so the line may be as long as gunicorn allows. Headers stay at the defaults.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Every log line is a JSON object (framework_site/json_logging.py): the access log on
# standard output, one per request, and gunicorn's own messages on standard error.
# Both pass through the filter that removes private pages' query strings.
_handler = {
    "class": "logging.StreamHandler",
    "formatter": "json",
    "filters": ["hide_answers"],
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_answers": {"()": "core.log_filters.HideAssessmentAnswers"}},
    "formatters": {"json": {"()": "core.json_logging.JsonFormatter"}},
    "handlers": {
        "access": _handler | {"stream": "ext://sys.stdout"},
        "error": _handler | {"stream": "ext://sys.stderr"},
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}
