"""An edit shows on the next request from every gunicorn worker, with and without Redis.

Two real gunicorn workers serve a throwaway SQLite database with the page cache on,
sharing either the embedded cache folder or a Redis server. Every page type is warmed
into the cache through both workers; then an edit is saved from a separate process (as
the admin would, through the ORM, with a commit), and every page type must show it on
the very next requests, whichever worker answers.
"""

import http.client
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from tests.servers import changed_environment, gunicorn
from tests.test_cache import redis_url  # noqa: F401 - a fixture

BASE_DIR = Path(settings.BASE_DIR)

ADDRESSES = """
import json
from roles.models import RoleProfile
role = RoleProfile.objects.filter(requirements__isnull=False).order_by("pk").first()
area = role.areas.order_by("position").first()
print(json.dumps({"slug": role.slug, "title": role.title, "pages": [
    "/roles/", role.get_absolute_url(), area.get_absolute_url(),
    f"/levels/{role.level.number}/", "/pathways/", f"/pathways/compare/?roles={role.slug}",
    "/search/?q=" + role.code, "/export/roles/" + role.slug + ".json",
]}))
"""

EDIT = """
from roles.models import RoleProfile
role = RoleProfile.objects.get(slug=SLUG)
role.title = "Retitled in the admin"
role.save()
"""


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def get(base: str, path: str) -> tuple[int, str, str]:
    address = urlsplit(base)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=20)
    conn.request("GET", path, headers={"Host": "localhost"})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body, response.getheader("ETag") or ""


def serve_and_edit(tmp_path, shared_cache: str | None = None) -> None:
    changes = {
        "DJANGO_SETTINGS_MODULE": "framework_site.settings",
        "DJANGO_LOCAL": "1",
        "DJANGO_DEBUG": None,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "DJANGO_CACHE_DIR": str(tmp_path / "cache"),
        "REDIS_URL": shared_cache,  # None: the embedded cache folder
        "DJANGO_PAGE_CACHE": "1",
        "DJANGO_CONTENT_CACHE": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        # Static files are served by name, as in the tests: no collectstatic manifest.
        "DJANGO_MANIFEST_STATIC": "0",
    }
    env = changed_environment(changes)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_framework")
    found = json.loads(manage(env, "shell", "-v", "0", "-c", ADDRESSES).strip().splitlines()[-1])
    with gunicorn(changes, workers=2, logs=tmp_path) as base:
        try:
            check_an_edit_shows(base, env, found)
        except AssertionError:
            print((tmp_path / "error.log").read_text()[-4000:])
            raise


def check_an_edit_shows(base: str, env: dict, found: dict) -> None:
    # Warm every page into the cache through both workers, and check it is cached.
    etags = {}
    for path in found["pages"]:
        for _ in range(6):
            status, body, etag = get(base, path)
            assert status == 200, path
            assert found["title"] in body, path
        etags[path] = etag
    assert all(etags[path] for path in found["pages"] if not path.endswith(".json"))

    manage(env, "shell", "-v", "0", "-c", EDIT.replace("SLUG", repr(found["slug"])))

    for path in found["pages"]:
        for _ in range(6):  # several requests, so both workers answer
            status, body, etag = get(base, path)
            assert status == 200, path
            assert "Retitled in the admin" in body, path
            assert etag != etags[path] or not etag, path


def test_an_edit_shows_on_every_worker_with_the_embedded_cache(tmp_path):
    serve_and_edit(tmp_path)


def test_an_edit_shows_on_every_worker_with_redis(tmp_path, redis_url):  # noqa: F811
    serve_and_edit(tmp_path, redis_url)
