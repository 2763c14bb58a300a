"""The development record: from a self-assessment's gaps to a record for supervision,
downloaded as a data file and restored from it, with nothing kept by the site.
"""

import html
import json
import pickle
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from jsonschema import Draft202012Validator, FormatChecker

from pathways import development_record as records
from roles.models import RoleProfile

from .test_log_privacy import captured_logs

pytestmark = pytest.mark.django_db

ROLE = "liaison-and-diversion-practitioner"
OTHER_ROLE = "reconnect-care-navigator"
MARKER = "Shadowed the duty nurse at Northshire custody suite"


def record_url(slug=ROLE) -> str:
    return reverse("workforce:development-record", args=[slug])


def role() -> RoleProfile:
    return RoleProfile.objects.get(slug=ROLE)


def codes_of(slug=ROLE) -> list[str]:
    found = RoleProfile.objects.get(slug=slug).requirements.order_by("competence__code")
    return list(found.values_list("competence__code", flat=True))


def answers(gaps: list[str], slug=ROLE) -> dict[str, str]:
    """Confident in everything but ``gaps``, which are Partly."""
    return {f"c-{code}": "partly" if code in gaps else "confident" for code in codes_of(slug)}


def start(client, gaps: list[str]):
    return client.post(record_url(), answers(gaps))


def form_of(response) -> dict:
    """The record form's fields as the page filled them in (what a browser would send)."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data: dict[str, list[str]] = {}
            self.textarea = None
            self.in_record_form = False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "form":
                self.in_record_form = attrs.get("enctype") is None
            if not self.in_record_form:
                return
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("file",):
                if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                    return
                self.data.setdefault(name, []).append(attrs.get("value", ""))
            if tag == "textarea":
                self.textarea = name
                self.data.setdefault(name, []).append("")

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            if tag == "form":
                self.in_record_form = False

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea][-1] += data

    parser = Fields()
    parser.feed(response.content.decode())
    return {name: values if len(values) > 1 else values[0] for name, values in parser.data.items()}


def filled(response, gaps: list[str], **more) -> dict:
    data = form_of(response)
    for number, code in enumerate(gaps, start=1):
        data[f"evidence-{code}"] = f"{MARKER} ({code})"
        data[f"action-{code}"] = f"Complete the course for {code}"
        data[f"target-{code}"] = f"2027-0{number}-15"
    data.update(supervisor="Sam Okafor", meeting="2026-12-07", next_review="2027-06-07")
    data.update(more)
    return data


def three_gaps() -> list[str]:
    return codes_of()[:3]


# --- From gaps to a record, and back from its data file -------------------------------


def test_a_result_with_gaps_offers_a_record_and_the_record_holds_each_gap(client, seeded):
    gaps = three_gaps()
    query = "&".join(f"{name}={value}" for name, value in answers(gaps).items())
    result = client.get(
        reverse("pathways:self-assessment-result", args=[ROLE]) + "?" + query
    ).content.decode()
    assert f'action="{record_url()}"' in result
    assert "Make a development record" in result
    response = start(client, gaps)
    assert response.status_code == 200
    markup = response.content.decode()
    assert [code for code in codes_of() if f'id="item-{code}"' in markup] == gaps


def test_the_data_file_restores_every_note_and_follows_the_schema(client, seeded):
    gaps = three_gaps()
    data = filled(start(client, gaps), gaps, do="json")
    response = client.post(record_url(), data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    Draft202012Validator(records.RECORD_SCHEMA, format_checker=FormatChecker()).validate(document)
    assert [item["code"] for item in document["items"]] == gaps
    # A fresh page: upload the file, and every note is back.
    fresh = client.post(
        record_url(), {"record-file": SimpleUploadedFile("mine.json", response.content)}
    )
    assert fresh.status_code == 200
    restored = form_of(fresh)
    for number, code in enumerate(gaps, start=1):
        assert restored[f"evidence-{code}"] == f"{MARKER} ({code})"
        assert restored[f"action-{code}"] == f"Complete the course for {code}"
        assert restored[f"target-{code}"] == f"2027-0{number}-15"
    assert restored["supervisor"] == "Sam Okafor"
    assert restored["next_review"] == "2027-06-07"


def test_confirming_a_competence_shows_as_confirmed_and_changed_since_the_last_record(
    client, seeded
):
    gaps = three_gaps()
    kept = client.post(record_url(), filled(start(client, gaps), gaps, do="json")).content
    restored = client.post(record_url(), {"record-file": SimpleUploadedFile("r.json", kept)})
    data = form_of(restored)
    data[f"confirmed-{gaps[0]}"] = "on"
    data[f"initials-{gaps[0]}"] = "SO"
    data["do"] = "update"
    page = client.post(record_url(), data).content.decode()
    assert "Confirmed by supervisor (SO)" in page
    assert page.count("Self-rated") == 2
    assert "Confirmed since your last record:" in page and gaps[0] in page
    again = json.loads(client.post(record_url(), {**data, "do": "json"}).content)
    confirmed = {item["code"]: item["confirmed_by"] for item in again["items"] if item["confirmed"]}
    assert confirmed == {gaps[0]: "SO"}


def test_an_action_past_its_date_is_marked_overdue(client, seeded):
    gaps = three_gaps()
    data = filled(start(client, gaps), gaps, do="update")
    data[f"target-{gaps[1]}"] = "2020-01-31"
    page = client.post(record_url(), data).content.decode()
    item = page[page.index(f'id="item-{gaps[1]}"') :]
    item = item[: item.index("</fieldset>")]
    assert "Overdue" in item
    assert page.count(">Overdue<") == 1


def test_a_requirement_changed_in_a_newer_framework_version_is_named(client, seeded):
    gaps = three_gaps()
    kept = json.loads(
        client.post(record_url(), filled(start(client, gaps), gaps, do="json")).content
    )
    kept["items"][0]["required"] = "awareness"
    kept["items"][0]["requirement"] = "desirable"
    kept["framework_version"] = max(kept["framework_version"] - 1, 0)
    kept["items"].append({"code": "ZZZ.9.9", "title": "Retired competence", "required": "working"})
    upload = SimpleUploadedFile("r.json", json.dumps(kept).encode())
    page = client.post(record_url(), {"record-file": upload}).content.decode()
    assert "What the role needs has changed" in page
    assert "(was Awareness, desirable)" in page
    assert "Retired competence" in page and "the role no longer needs it" in page


def test_adding_a_competence_keeps_what_was_typed(client, seeded):
    gaps = three_gaps()
    extra = codes_of()[5]
    data = filled(start(client, gaps), gaps, do="add", add=extra)
    page = client.post(record_url(), data)
    assert page.status_code == 200
    restored = form_of(page)
    assert f'id="item-{extra}"' in page.content.decode()
    assert restored[f"evidence-{gaps[0]}"] == f"{MARKER} ({gaps[0]})"


# --- Bad input ------------------------------------------------------------------------


def test_a_note_over_its_limit_is_refused_and_kept(client, seeded):
    gaps = three_gaps()
    long_note = "word " * 500  # 2,500 characters
    data = filled(start(client, gaps), gaps, do="docx")
    data[f"evidence-{gaps[0]}"] = long_note
    response = client.post(record_url(), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "must be 2000 characters or fewer" in page
    assert form_of(response)[f"evidence-{gaps[0]}"] == long_note.strip()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("target", "2027-02-30", "must be a real date"),
        ("target", "1850-01-01", "must be between"),
        ("target", "next week", "must be a real date"),
        ("confirmed", "on", "add the supervisor's initials"),
    ],
)
def test_bad_dates_and_unsigned_confirmations_get_a_message(client, seeded, field, value, message):
    gaps = three_gaps()
    data = filled(start(client, gaps), gaps, do="json")
    data[f"{field}-{gaps[0]}"] = value
    response = client.post(record_url(), data)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert form_of(response)[f"evidence-{gaps[0]}"] == f"{MARKER} ({gaps[0]})"


def test_hostile_text_is_inert_in_the_page_and_the_data_file(client, seeded):
    gaps = three_gaps()
    hostile = '<script>alert("x")</script> =HYPERLINK("http://x") \x0b\u202e end'
    data = filled(start(client, gaps), gaps, do="update")
    data[f"evidence-{gaps[0]}"] = hostile
    page = client.post(record_url(), data).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    document = json.loads(client.post(record_url(), {**data, "do": "json"}).content)
    evidence = document["items"][0]["evidence"]
    assert "\x0b" not in evidence and "\u202e" not in evidence
    assert evidence.startswith("<script>")


def _corpus(client) -> dict[str, bytes]:
    gaps = three_gaps()
    good = json.loads(
        client.post(record_url(), filled(start(client, gaps), gaps, do="json")).content
    )
    started = client.post(record_url(OTHER_ROLE), answers(codes_of(OTHER_ROLE)[:2], OTHER_ROLE))
    other = client.post(record_url(OTHER_ROLE), {**form_of(started), "do": "json"}).content
    gap_csv = client.get(
        reverse("pathways:self-assessment-result", args=[ROLE]),
        {**answers(gaps), "format": "csv"},
    ).content

    def changed(**edits) -> bytes:
        return json.dumps({**good, **edits}).encode()

    def item_changed(**edits) -> bytes:
        return json.dumps({**good, "items": [{**good["items"][0], **edits}]}).encode()

    whole = json.dumps(good).encode()
    return {
        "the gap spreadsheet.csv": gap_csv,
        "framework.json": client.get("/export/framework.json").content,
        "empty.json": b"",
        "large.json": b" " * (30 * 1024 * 1024),
        "not utf-8.json": b'{"format": "\xff\xfe"}',
        "another role.json": other,
        "truncated.json": whole[: len(whole) // 2],
        "a list.json": b"[1, 2, 3]",
        "wrong format.json": changed(format="something-else"),
        "future version.json": changed(version=2),
        "no items.json": json.dumps({k: v for k, v in good.items() if k != "items"}).encode(),
        "confirmed as text.json": item_changed(confirmed="yes"),
        "impossible date.json": item_changed(target_date="2027-02-30"),
        "ancient date.json": item_changed(target_date="1066-10-14"),
        "note too long.json": item_changed(evidence="x" * 5000),
        "twice.json": json.dumps({**good, "items": [good["items"][0]] * 2}).encode(),
        "nan.json": whole.replace(b'"framework_version": ', b'"framework_version": NaN, "x": '),
        "deep.json": b"[" * 100000 + b"]" * 100000,
        "extra field.json": changed(secret="kept"),
        "a picture.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "word file.docx": b"PK\x03\x04" + b"\x00" * 64,
    }


def all_row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the database
            counts[table] = cursor.fetchone()[0]
    return counts


def test_every_bad_file_is_refused_with_a_message_and_nothing_changes(client, seeded):
    corpus = _corpus(client)
    assert len(corpus) >= 15
    before = all_row_counts()
    for name, data in corpus.items():
        response = client.post(record_url(), {"record-file": SimpleUploadedFile(name, data)})
        assert 400 <= response.status_code < 500, (name, response.status_code)
        page = html.unescape(response.content.decode())
        if response.status_code == 413:  # past the request limit: the server's own page
            continue
        assert "There is a problem" in page, name
        assert 'id="item-' not in page, name
    assert all_row_counts() == before


def test_no_file_chosen_is_a_message(client, seeded):
    response = client.post(record_url(), {"do": "upload"})
    assert response.status_code == 400
    assert "Choose the data file you kept" in response.content.decode()


# --- Nothing kept ---------------------------------------------------------------------


def _cached_values() -> list[str]:
    """Every value in the file cache the tests use, unpickled, as text."""
    found = []
    location = settings.CACHES["default"].get("LOCATION")
    if not location or not Path(location).is_dir():
        return found
    for path in Path(location).rglob("*"):
        if not path.is_file():
            continue
        with path.open("rb") as handle:
            try:
                pickle.load(handle)  # the expiry time
                found.append(repr(pickle.loads(zlib.decompress(handle.read()))))
            except Exception:  # noqa: BLE001 - a file being written by another test
                found.append(path.read_bytes().decode("latin-1"))
    return found


def test_the_notes_reach_no_log_no_cache_no_address_and_no_table(client, seeded):
    gaps = three_gaps()
    before = all_row_counts()
    with captured_logs() as logs:
        first = start(client, gaps)
        data = filled(first, gaps, do="json")
        kept = client.post(record_url(), data)
        restored = client.post(
            record_url(), {"record-file": SimpleUploadedFile("r.json", kept.content)}
        )
        word = client.post(record_url(), {**form_of(restored), "do": "docx"})
        printed = client.post(record_url(), {**form_of(restored), "do": "print"})
    assert MARKER in printed.content.decode()
    assert word.status_code == 200
    assert MARKER not in logs.getvalue()
    assert not [value for value in _cached_values() if MARKER in value]
    for response in (first, kept, restored, word, printed):
        assert "no-store" in response["Cache-Control"]
        assert response.get("Location") is None
        assert not response.cookies
        assert response["X-Robots-Tag"] == "noindex"
    assert all_row_counts() == before


def test_the_schema_is_published_beside_the_other_open_data(client, seeded):
    listing = client.get("/export/").content.decode()
    schema_url = reverse("interchange:record-schema")
    assert f'href="{schema_url}"' in listing
    response = client.get(schema_url)
    assert response.status_code == 200
    assert json.loads(response.content) == records.RECORD_SCHEMA
    Draft202012Validator.check_schema(records.RECORD_SCHEMA)


def test_the_record_page_without_a_record_says_how_to_start(client, seeded):
    response = client.get(record_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Carry on from a record you kept" in page
    assert reverse("pathways:self-assessment", args=[ROLE]) in page
    assert client.get(record_url("no-such-role")).status_code == 404
