"""The README's table of pages matches the code: every address the site routes (the admin
aside) has one row naming the view that serves it and the template that view renders.

Four apps share the empty URL prefix and some pages live in an app other than the one
their address names (``/roles/<slug>/`` is served by ``framework``, ``/pathways/team/``
by ``workforce``), so the table is where a newcomer finds a page's code. The addresses
and views come from walking the URLconf; the templates from requesting each row's
example address with the test client, since a view may render its template from a
helper in another module. Adding, moving or renaming a page, a view or a page's
template without changing the table fails here.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"
HEADING = "## Pages: address, view, template"
NO_TEMPLATE = "none"


def address(pattern: str) -> str:
    """An address pattern as the table writes it: routes as Django spells them, and a
    regular expression's named groups as ``<name>`` (``^competences/(?P<code>…)\\.json$``
    becomes ``competences/<code>.json``)."""
    pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", pattern)
    return "/" + re.sub(r"\\(.)", r"\1", pattern.replace("^", "").replace("$", ""))


def routed_pages(patterns=None, prefix: str = "") -> dict[str, str]:
    """{address pattern: view's dotted path} for every address outside the admin."""
    found = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name != "admin":
                found |= routed_pages(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = entry.callback
            found[address(prefix + str(entry.pattern))] = f"{view.__module__}.{view.__qualname__}"
    return found


def table_rows() -> list[dict[str, str]]:
    """The rows of the README's page table, each cell without its backticks."""
    text = README.read_text(encoding="utf-8")
    assert HEADING in text, f"README.md has no section {HEADING!r}"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header, _rule, *rows = lines
    names = [cell.strip().lower() for cell in header.strip("|").split("|")]
    assert names == ["address", "example", "view", "template"], names
    return [
        dict(
            zip(names, (cell.strip().strip("`") for cell in row.strip("|").split("|")), strict=True)
        )
        for row in rows
    ]


@pytest.fixture(scope="module")
def rows():
    return table_rows()


def test_every_routed_address_has_one_row_with_its_view(rows):
    in_table = [(row["address"], row["view"]) for row in rows]
    duplicates = sorted({pair for pair in in_table if in_table.count(pair) > 1})
    assert not duplicates, f"listed twice in the README's page table: {duplicates}"
    routed = routed_pages()
    assert routed, "the URLconf walk found no pages"
    missing = sorted(set(routed.items()) - set(in_table))
    stale = sorted(set(in_table) - set(routed.items()))
    assert not missing and not stale, (
        "README.md's page table disagrees with the URLconf.\n"
        f"Routed but not in the table (address, view): {missing}\n"
        f"In the table but not routed so: {stale}"
    )


def test_the_table_is_read_and_names_the_pages_that_live_away_from_their_address(rows):
    """If the parse found nothing, the test above could not see a missing page."""
    views = {row["address"]: row["view"] for row in rows}
    assert views["/roles/<slug:slug>/"] == "framework.views.role_detail"
    assert views["/pathways/team/"].startswith("workforce.")


def example(row: dict[str, str], client) -> str:
    """The row's example address, ``<day>`` replaced by the latest day with a change."""
    if "<day>" not in row["example"]:
        return row["example"]
    days = re.findall(r'href="/changes/(\d{4}-\d{2}-\d{2})/"', client.get("/changes/").text)
    assert days, "the change log links no day"
    return row["example"].replace("<day>", days[0])


def page_templates(response) -> list[str]:
    """The templates a response rendered, partials (named ``_…``) and ``includes/`` left
    out: the first is the page's own template, the one that extends ``base.html``."""
    return [
        template.name
        for template in response.templates
        if not template.name.rsplit("/", 1)[-1].startswith("_")
        and not template.name.startswith("includes/")
    ]


@pytest.mark.parametrize("row", table_rows(), ids=lambda row: row["address"])
def test_each_example_is_served_by_its_row_and_renders_its_template(client, row):
    shown = example(row, client)
    match = resolve(urlsplit(shown).path)
    assert address(match.route) == row["address"], f"{shown} is not {row['address']}"

    response = client.get(shown)

    assert response.status_code == 200, shown
    rendered = page_templates(response)
    if row["template"] == NO_TEMPLATE:
        assert rendered == [], f"{shown} renders {rendered[:1]}"
    else:
        assert rendered[:1] == [row["template"]], f"{shown} renders {rendered[:1]}"
