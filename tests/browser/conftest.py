"""Real-browser fixtures: Playwright driving Debian's Chromium against a live server.

Locally these tests skip, with the reason, when Chromium or Playwright is missing;
under CI=true they must run, so a missing browser fails loudly instead.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTEFACTS = Path(__file__).resolve().parents[2] / "build" / "browser"
# The NHS.UK CSS asks for fonts from this host; tests have no network, so it is blocked.
FONT_HOST = "assets.nhs.uk"


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make install)"
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def _new_page(browser, **options):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.route(f"https://{FONT_HOST}/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def site(live_server, seeded):
    """The live server's address, with the seed content loaded."""
    return live_server.url


@pytest.fixture
def page(browser):
    """A page with JavaScript switched off, as some users and all our promises have it."""
    context, page = _new_page(browser, java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def scripted_page(browser):
    """A page with JavaScript on, allowed to inject test tools (axe-core) despite the CSP."""
    context, page = _new_page(browser, bypass_csp=True)
    yield page
    context.close()


@pytest.fixture(scope="session")
def artefacts():
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


@pytest.fixture(scope="session")
def poppler():
    """pdfinfo and pdftotext, to count and read printed pages; a skip locally when missing,
    a failure under CI=true."""
    try:
        subprocess.run(["pdfinfo", "-v"], capture_output=True, check=True)
        subprocess.run(["pdftotext", "-v"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        reason = "pdfinfo and pdftotext are needed: apt-get install poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Print tests must run in CI: {reason}")
        pytest.skip(reason)
