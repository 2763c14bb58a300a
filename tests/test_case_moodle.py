"""The CASE 1.0 package and the Moodle competency framework CSV.

The CASE package must pass the published CFPackage schema (formats included), keep the
tree whole (one parent per item) and keep its identifiers from one export to the next;
a role's requirements must come back out of it exactly as the database holds them. The
Moodle file must be one Moodle's importer reads as intended: its header, one framework
row, parents that resolve, and the same bytes for the same content.
"""

import copy
import csv
import io
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.urls import resolve
from jsonschema import Draft7Validator, FormatChecker

from interchange.case import case_package
from interchange.document import framework_document
from interchange.errors import ContentError
from interchange.moodle import moodle_csv
from tests.helpers import sql

SCHEMA_PATH = Path(__file__).parent / "standards" / "case-v1p0-cfpackage-schema.json"
BASE = "https://framework.example.org"

MOODLE_HEADER = [
    "Parent id number",
    "Id number",
    "Shortname",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross referenced competency id numbers",
    "Exported id (optional)",
    "Is framework",
    "Taxonomy",
]
# The terms Moodle accepts in a framework's taxonomy.
MOODLE_TAXONOMY_TERMS = {
    "behaviour",
    "competency",
    "concept",
    "domain",
    "indicator",
    "level",
    "outcome",
    "practice",
    "proficiency",
    "skill",
    "value",
}
PROFICIENCY_NAMES = {1: "awareness", 2: "working", 3: "proficient", 4: "expert"}
LONG_TITLE = (
    "Plan and review care with a person on a community order, their family and every "
    "agency involved, and record each agreed step so that others can follow it"
)


@pytest.fixture(autouse=True)
def public_url(settings):
    settings.PUBLIC_URL = BASE


@pytest.fixture(scope="module")
def validator():
    checker = FormatChecker()
    # Without these two checkers jsonschema would pass any address or date unchecked.
    assert {"uri", "date-time", "date"} <= set(checker.checkers)
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=checker)


def small_document(**framework) -> dict:
    """A small framework document written by hand to the shared contract."""
    return {
        "framework": {
            "title": "Test framework",
            "publisher": "NHS England",
            "edition": "2023",
            "version": 4,
            "last_changed": "2025-03-05",
            "licence": {"name": "Open licence", "url": "https://licence.example.org/v3/"},
        }
        | framework,
        "areas": [
            {
                "slug": "court",
                "name": "Healthcare in court",
                "short_name": "Court",
                "position": 1,
                "summary": "Care at court.",
                "description": "",
            },
            {
                "slug": "liaison",
                "name": "Liaison and Diversion",
                "short_name": "L&D",
                "position": 2,
                "summary": "Assessment and referral.",
                "description": "",
            },
        ],
        "levels": [
            {"number": 3, "name": "Senior support", "descriptor": "…", "indicative_band": "3"},
            {"number": 5, "name": "Practitioner", "descriptor": "…", "indicative_band": "5"},
        ],
        "standards": [
            {
                "reference": "MH1",
                "code": "MH1",
                "suite": "Mental health",
                "title": "Assess needs",
                "organisation": "Skills for Health",
                "url": "https://www.ukstandards.org.uk/en/nos-finder/mh1",
                "status": "current",
            },
            {
                "reference": "SCD-1",
                "code": "SCD1",
                "suite": "Social care",
                "title": "Communicate",
                "organisation": "Skills for Care",
                "url": "",
                "status": "legacy",
            },
        ],
        "competences": [
            _competence("COM", None, "section", "Communication"),
            _competence("COM.1", "COM", "subsection", "Talking with people"),
            _competence(
                "COM.1.1",
                "COM.1",
                "statement",
                "Explain the service",
                standards=["MH1", "SCD-1"],
                knowledge="What the service does\nWho it is for",
                skills="Speak plainly",
            ),
            _competence("COM.1.2", "COM.1", "statement", LONG_TITLE, description='A "quoted" word'),
            _competence("RSK", None, "section", "Risk"),
            _competence("RSK.1", "RSK", "statement", "Assess risk & record it", standards=["MH1"]),
        ],
        "learning": [],
        "roles": [
            _role(
                "support-worker",
                "SW-3",
                3,
                ["court"],
                [("COM.1.1", "working", "essential"), ("RSK.1", "awareness", "desirable")],
            ),
            _role(
                "practitioner",
                "PR-5",
                5,
                ["court", "liaison"],
                [
                    ("COM.1.1", "proficient", "essential"),
                    ("COM.1.2", "expert", "essential"),
                    ("RSK.1", "working", "desirable"),
                ],
            ),
        ],
        "progressions": [],
    }


def _competence(code, parent, kind, title, *, standards=(), description="", **text):
    return {
        "code": code,
        "parent": parent,
        "kind": kind,
        "title": title,
        "description": description or f"About {title.lower()}.",
        "knowledge": text.get("knowledge", ""),
        "skills": text.get("skills", ""),
        "standards": sorted(standards),
    }


def _role(slug, code, level, areas, needs):
    return {
        "slug": slug,
        "code": code,
        "title": slug.replace("-", " ").capitalize(),
        "level": level,
        "areas": areas,
        "purpose": f"Purpose of the {slug}.",
        "responsibilities": "",
        "entry_requirements": "",
        "education_and_training": "",
        "continuing_development": "",
        "typical_job_titles": "",
        "indicative_band": "",
        "lived_experience_route": False,
        "lived_experience_text": "",
        "registered_profession": False,
        "competences": [
            {"code": code, "proficiency": depth, "requirement": need} for code, depth, need in needs
        ],
    }


def package_bytes(package: dict) -> bytes:
    return json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")


def all_identifiers(package: dict) -> list[str]:
    definitions = package["CFDefinitions"]
    return (
        [package["CFDocument"]["identifier"]]
        + [item["identifier"] for item in package["CFItems"]]
        + [association["identifier"] for association in package["CFAssociations"]]
        + [entry["identifier"] for entries in definitions.values() for entry in entries]
    )


def parents_by_item(package: dict) -> dict[str, list[dict]]:
    """{item identifier: the isChildOf associations whose origin is that item}."""
    parents = defaultdict(list)
    for association in package["CFAssociations"]:
        if association["associationType"] == "isChildOf":
            parents[association["originNodeURI"]["identifier"]].append(association)
    return parents


def requirements_in(package: dict) -> set[tuple[str, str, str, str]]:
    """(role code, competence code, proficiency, requirement) read back from the package."""
    items = {item["identifier"]: item for item in package["CFItems"]}
    groupings = {
        grouping["identifier"]: grouping["title"]
        for grouping in package["CFDefinitions"]["CFAssociationGroupings"]
    }
    found = set()
    for association in package["CFAssociations"]:
        origin = items.get(association["originNodeURI"]["identifier"])
        if origin is None or origin["CFItemType"] != "Role profile":
            continue
        if association["associationType"] == "isChildOf":
            continue
        assert association["associationType"] == "isRelatedTo"
        title = groupings[association["CFAssociationGroupingURI"]["identifier"]]
        match = re.fullmatch(r"(Essential|Desirable) at (\w+) proficiency", title)
        assert match, title
        competence = items[association["destinationNodeURI"]["identifier"]]
        assert competence["CFItemType"] == "Competence statement"
        found.add(
            (
                origin["humanCodingScheme"],
                competence["humanCodingScheme"],
                match[2],
                match[1].lower(),
            )
        )
    return found


def read_moodle(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# The CASE package


def test_case_package_of_the_seed_framework_passes_the_cfpackage_schema(seeded, validator):
    package = case_package(framework_document())
    errors = sorted(validator.iter_errors(package), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors[:5]]
    assert len(package["CFItems"]) > sql("SELECT COUNT(*) FROM competences_competence")[0][0]


def test_case_schema_check_refuses_a_package_with_a_bad_date(validator):
    """The format checks are live: a date that is not RFC 3339 fails validation."""
    package = case_package(small_document())
    assert validator.is_valid(package)
    package["CFItems"][0]["lastChangeDateTime"] = "5 March 2025"
    assert not validator.is_valid(package)


def test_every_item_has_exactly_one_parent_that_exists(seeded):
    package = case_package(framework_document())
    document_id = package["CFDocument"]["identifier"]
    item_ids = {item["identifier"] for item in package["CFItems"]}
    parents = parents_by_item(package)

    assert set(parents) == item_ids
    assert all(len(links) == 1 for links in parents.values())
    assert document_id not in parents
    for links in parents.values():
        assert links[0]["destinationNodeURI"]["identifier"] in item_ids | {document_id}


def test_items_follow_the_database_tree_in_order(seeded):
    package = case_package(framework_document())
    by_id = {item["identifier"]: item for item in package["CFItems"]}
    document_id = package["CFDocument"]["identifier"]
    children = defaultdict(list)
    for item_id, (link,) in parents_by_item(package).items():
        parent = link["destinationNodeURI"]["identifier"]
        parent_code = "" if parent == document_id else by_id[parent].get("humanCodingScheme")
        children[parent_code].append((link["sequenceNumber"], by_id[item_id]))

    rows = sql(
        "SELECT child.code, COALESCE(parent.code, '') FROM competences_competence child "
        "LEFT JOIN competences_competence parent ON parent.id = child.parent_id "
        "ORDER BY child.tree_id, child.lft"
    )
    expected = defaultdict(list)
    for code, parent_code in rows:
        expected[parent_code].append(code)
    for parent_code, codes in expected.items():
        numbered = sorted(children[parent_code], key=lambda pair: pair[0])
        assert [number for number, _item in numbered][: len(codes)] == list(
            range(1, len(codes) + 1)
        )
        in_package = [
            item["humanCodingScheme"]
            for _number, item in numbered
            if item["CFItemType"] != "Role profiles"
        ]
        assert in_package == codes


def test_identifiers_are_unique_and_identical_between_exports(seeded):
    first = case_package(framework_document())
    second = case_package(framework_document())
    identifiers = all_identifiers(first)
    assert len(identifiers) == len(set(identifiers))
    assert package_bytes(first) == package_bytes(second)


def test_identifiers_follow_natural_keys_not_positions():
    before = case_package(small_document())
    changed = small_document(version=5, last_changed="2025-04-01")
    changed["roles"].reverse()
    changed["competences"].insert(
        0, _competence("AAA", None, "section", "A section that sorts first")
    )
    after = case_package(changed)

    def identifier_by_code(package):
        return {
            item.get("humanCodingScheme", item["CFItemType"]): item["identifier"]
            for item in package["CFItems"]
        }

    old, new = identifier_by_code(before), identifier_by_code(after)
    assert {code: new[code] for code in old} == old
    assert before["CFDocument"]["identifier"] == after["CFDocument"]["identifier"]
    old_links = {a["identifier"] for a in before["CFAssociations"]}
    assert old_links <= {a["identifier"] for a in after["CFAssociations"]}


def test_role_requirements_read_back_from_the_package_match_the_database(seeded):
    package = case_package(framework_document())
    rows = sql(
        "SELECT role.code, competence.code, requirement.proficiency, requirement.requirement "
        "FROM roles_rolecompetence requirement "
        "JOIN roles_roleprofile role ON role.id = requirement.role_id "
        "JOIN competences_competence competence ON competence.id = requirement.competence_id"
    )
    expected = {(role, code, PROFICIENCY_NAMES[depth], need) for role, code, depth, need in rows}
    assert len(expected) == len(rows) > 0
    assert requirements_in(package) == expected


def test_every_role_is_an_item_with_its_page_and_areas(seeded):
    package = case_package(framework_document())
    roles = [item for item in package["CFItems"] if item["CFItemType"] == "Role profile"]
    rows = sql("SELECT code, slug, title FROM roles_roleprofile")
    assert sorted((r["humanCodingScheme"], r["fullStatement"]) for r in roles) == sorted(
        (code, title) for code, _slug, title in rows
    )
    pages = {code: f"{BASE}/roles/{slug}/" for code, slug, _title in rows}
    assert all(role["uri"] == pages[role["humanCodingScheme"]] for role in roles)
    assert all(role["conceptKeywords"] for role in roles)


def test_statements_link_to_standards_at_their_official_address_or_this_site(seeded):
    package = case_package(framework_document())
    items = {item["identifier"]: item for item in package["CFItems"]}
    found = set()
    for association in package["CFAssociations"]:
        origin = items[association["originNodeURI"]["identifier"]]
        destination = association["destinationNodeURI"]
        if destination["identifier"] not in items and association["associationType"] != "isChildOf":
            found.add((origin["humanCodingScheme"], destination["uri"]))
    rows = sql(
        "SELECT competence.code, standard.reference, standard.url "
        "FROM competences_competence_standards link "
        "JOIN competences_competence competence ON competence.id = link.competence_id "
        "JOIN competences_standard standard ON standard.id = link.standard_id"
    )
    expected = {(code, url or f"{BASE}/standards/{reference}/") for code, reference, url in rows}
    assert len(expected) > 0
    assert found == expected


def test_small_document_package_names_standards_and_roles():
    package = case_package(small_document())
    destinations = {
        a["destinationNodeURI"]["uri"]
        for a in package["CFAssociations"]
        if a["originNodeURI"]["title"] == "Explain the service"
    }
    assert destinations == {
        "https://www.ukstandards.org.uk/en/nos-finder/mh1",
        f"{BASE}/standards/SCD-1/",
        f"{BASE}/competences/COM.1/",
    }
    assert requirements_in(package) == {
        ("SW-3", "COM.1.1", "working", "essential"),
        ("SW-3", "RSK.1", "awareness", "desirable"),
        ("PR-5", "COM.1.1", "proficient", "essential"),
        ("PR-5", "COM.1.2", "expert", "essential"),
        ("PR-5", "RSK.1", "working", "desirable"),
    }


def test_case_document_carries_the_framework_block_and_its_change_date():
    package = case_package(small_document())
    document = package["CFDocument"]
    assert document["title"] == "Test framework"
    assert document["creator"] == document["publisher"] == "NHS England"
    assert document["version"] == "4"
    assert document["language"] == "en"
    assert document["lastChangeDateTime"] == "2025-03-05T00:00:00+00:00"
    licences = package["CFDefinitions"]["CFLicenses"]
    assert [licence["uri"] for licence in licences] == ["https://licence.example.org/v3/"]
    assert document["licenseURI"]["identifier"] == licences[0]["identifier"]
    dates = {item["lastChangeDateTime"] for item in package["CFItems"]}
    dates |= {a["lastChangeDateTime"] for a in package["CFAssociations"]}
    assert dates == {"2025-03-05T00:00:00+00:00"}
    types = {t["title"] for t in package["CFDefinitions"]["CFItemTypes"]}
    assert {item["CFItemType"] for item in package["CFItems"]} <= types


def test_case_package_without_a_recorded_change_is_still_valid_and_fixed(validator):
    first = case_package(small_document(last_changed=None))
    assert validator.is_valid(first)
    assert first["CFDocument"]["lastChangeDateTime"] == "1970-01-01T00:00:00+00:00"
    assert package_bytes(first) == package_bytes(case_package(small_document(last_changed=None)))


def test_case_addresses_use_the_public_url(settings):
    settings.PUBLIC_URL = "https://elsewhere.example.net"
    package = case_package(small_document())
    uris = [package["CFDocument"]["uri"]] + [item["uri"] for item in package["CFItems"]]
    uris += [a["uri"] for a in package["CFAssociations"]]
    assert all(uri.startswith("https://elsewhere.example.net/") for uri in uris)


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda d: d["competences"][2]["standards"].append("NOPE"), "COM.1.1: standard NOPE"),
        (lambda d: d["roles"][0]["competences"][0].update(code="GONE"), "competence GONE"),
        (lambda d: d["roles"][0]["competences"][0].update(proficiency="fluent"), "fluent"),
        (lambda d: d["competences"].insert(0, d["competences"].pop(2)), "COM.1.1: its parent"),
    ],
)
def test_case_package_refuses_a_document_that_contradicts_itself(spoil, message):
    document = small_document()
    spoil(document)
    with pytest.raises(ContentError, match=re.escape(message)):
        case_package(document)


# The Moodle CSV


def test_moodle_csv_has_moodles_header_and_one_framework_row(seeded):
    rows = read_moodle(moodle_csv(framework_document()))
    assert rows[0] == MOODLE_HEADER
    assert all(len(row) == len(MOODLE_HEADER) for row in rows)
    frameworks = [row for row in rows[1:] if row[12] == "1"]
    assert len(frameworks) == 1
    assert rows[1][12] == "1"
    assert {row[12] for row in rows[2:]} == {"0"}


def test_moodle_csv_has_a_row_for_every_competence(seeded):
    rows = read_moodle(moodle_csv(framework_document()))
    competences = sql("SELECT COUNT(*) FROM competences_competence")[0][0]
    assert len(rows) - 1 == competences + 1
    codes = [
        code for (code,) in sql("SELECT code FROM competences_competence ORDER BY tree_id, lft")
    ]
    assert [row[1] for row in rows[2:]] == codes


def test_every_moodle_parent_resolves_to_the_framework_or_an_earlier_row(seeded):
    rows = read_moodle(moodle_csv(framework_document()))
    framework = rows[1]
    assert framework[0] == ""
    seen = set()
    for row in rows[2:]:
        # Moodle hangs a row with an empty parent under the framework; it never looks the
        # framework's own id number up as a parent.
        assert row[0] == "" or row[0] in seen, row[:3]
        assert row[0] != framework[1]
        seen.add(row[1])
    sections = sql("SELECT code FROM competences_competence WHERE parent_id IS NULL")
    assert {row[1] for row in rows[2:] if row[0] == ""} == {code for (code,) in sections}


def test_moodle_scale_is_one_moodle_accepts(seeded):
    framework = read_moodle(moodle_csv(framework_document()))[1]
    values = framework[5].split(",")
    assert values == ["Awareness", "Working", "Proficient", "Expert"]
    configuration = json.loads(framework[6])
    assert "scaleid" in configuration[0]
    entries = configuration[1:]
    assert [entry["id"] for entry in entries] == list(range(1, len(values) + 1))
    assert sum(entry["scaledefault"] for entry in entries) == 1
    assert any(entry["proficient"] for entry in entries)
    assert framework[4] == "1"


def test_moodle_taxonomy_names_each_depth_with_moodles_terms(seeded):
    framework = read_moodle(moodle_csv(framework_document()))[1]
    terms = framework[13].split(",")
    depth = sql("SELECT MAX(level) FROM competences_competence")[0][0] + 1
    assert len(terms) == depth
    assert set(terms) <= MOODLE_TAXONOMY_TERMS


def test_moodle_csv_is_byte_identical_between_exports(seeded):
    first = moodle_csv(framework_document())
    assert first == moodle_csv(framework_document())
    assert not first.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in first
    first.decode("utf-8")


def test_moodle_short_names_fit_and_long_titles_survive_in_the_description():
    rows = read_moodle(moodle_csv(small_document()))
    by_code = {row[1]: row for row in rows[2:]}
    long_row = by_code["COM.1.2"]
    assert len(long_row[2]) <= 100
    assert long_row[2].endswith("…")
    assert LONG_TITLE.startswith(long_row[2][:-1])
    assert f"<p>{LONG_TITLE}</p>" in long_row[3]
    assert "&quot;quoted&quot;" in long_row[3]
    assert by_code["RSK.1"][2] == "Assess risk & record it"
    assert all(len(row[1]) <= 100 and len(row[2]) <= 100 for row in rows[1:])
    described = by_code["COM.1.1"][3]
    assert "<li>What the service does</li><li>Who it is for</li>" in described
    assert "<li>MH1 Assess needs (Mental health)</li>" in described


def test_moodle_framework_row_states_version_change_date_and_licence():
    framework = read_moodle(moodle_csv(small_document()))[1]
    assert framework[1] == "NCCF-2023-v4"
    assert "version 4" in framework[2]
    assert "2025-03-05" in framework[3]
    assert 'href="https://licence.example.org/v3/"' in framework[3]


def test_moodle_taxonomy_names_sections_subsections_and_statements():
    document = small_document()
    # RSK.1 is a statement directly under a section, at the depth of COM.1, a
    # subsection: a depth that mixes kinds is called competency.
    assert read_moodle(moodle_csv(document))[1][13] == "domain,competency,competency"
    without_rsk1 = [c for c in document["competences"] if c["code"] != "RSK.1"]
    for role in document["roles"]:
        role["competences"] = [need for need in role["competences"] if need["code"] != "RSK.1"]
    document["competences"] = without_rsk1
    assert read_moodle(moodle_csv(document))[1][13] == "domain,practice,competency"


def test_moodle_csv_refuses_a_document_that_contradicts_itself():
    document = small_document()
    document["competences"].append(copy.deepcopy(document["competences"][0]))
    with pytest.raises(ContentError, match="COM appears twice"):
        moodle_csv(document)
    document = small_document()
    document["competences"][2]["standards"].append("NOPE")
    with pytest.raises(ContentError, match="standard NOPE"):
        moodle_csv(document)


def test_moodle_rows_keep_every_field_on_one_line(seeded):
    data = moodle_csv(framework_document())
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""
    assert len(lines) - 1 == len(read_moodle(data))
    assert Counter(len(row) for row in read_moodle(data)) == Counter({14: len(lines) - 1})


def test_case_item_addresses_are_pages_of_this_site(seeded):
    package = case_package(framework_document())
    for item in package["CFItems"] + [package["CFDocument"]]:
        assert item["uri"].startswith(BASE + "/")
        resolve(item["uri"].removeprefix(BASE))  # raises Resolver404 for a dead address


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "1.10", "Moodle compares codes made only of digits"),
        ("code", "12", "Moodle compares codes made only of digits"),
        ("title", "Use the service's \\ shared drive", "cannot hold a backslash"),
        ("title", "Ends with a backslash\\", "cannot hold a backslash"),
    ],
)
@pytest.mark.django_db
def test_codes_and_titles_moodle_would_misread_are_refused_when_edited(field, value, message):
    from django.core.exceptions import ValidationError

    from competences.models import Competence

    statement = Competence.objects.filter(kind="statement").first()
    setattr(statement, field, value)
    with pytest.raises(ValidationError) as refused:
        statement.full_clean()
    assert message in " ".join(refused.value.message_dict[field])
