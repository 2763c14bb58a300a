"""The CASE 1.0 packages and the Moodle competency framework CSV.

Both CASE packages (the competences, and the role profiles) must pass 1EdTech's own
schemas with no error (the CASE 1.0 binding's CFPackage type and the CASE 1.1 package
schema, formats included), keep each tree whole (one parent per item), keep role profiles
out of the competences' package, date each object by its own last change and keep their
identifiers from one export to the next; a role's requirements must come back out of
them exactly as the database holds them. The Moodle file must be one Moodle's importer
reads as intended: its header, one framework row, parents that resolve, and the same
bytes for the same content.
"""

import copy
import csv
import hashlib
import io
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest

from competences.models import Competence
from competences.services import competence_move
from core.versioning import content_models
from interchange.case import case_packages
from interchange.case_changes import change_dates
from interchange.case_common import DEFINITIONS_CHANGED, date_time, key_uuid
from interchange.document import framework_document
from interchange.errors import ContentError
from interchange.moodle import moodle_csv
from tests.case_standards import DIGESTS, STANDARDS, errors, package_validators
from tests.factories import grow_framework
from tests.helpers import sql

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
def validators():
    return package_validators()


def seed_packages():
    """Both packages of the database's framework, dated from its history, as the site
    builds them."""
    return case_packages(framework_document(), change_dates())


def both(packages) -> list[dict]:
    return [packages.framework, packages.role_profiles]


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
        + [rubric["identifier"] for rubric in package["CFRubrics"]]
    )


def parents_by_item(package: dict) -> dict[str, list[dict]]:
    """{item identifier: the isChildOf associations whose origin is that item}."""
    parents = defaultdict(list)
    for association in package["CFAssociations"]:
        if association["associationType"] == "isChildOf":
            parents[association["originNodeURI"]["identifier"]].append(association)
    return parents


def requirements_in(packages) -> set[tuple[str, str, str, str]]:
    """(role code, competence code, proficiency, requirement) read back from the role
    profiles' package, each competence found in the competences' package."""
    roles = {item["identifier"]: item for item in packages.role_profiles["CFItems"]}
    competences = {item["identifier"]: item for item in packages.framework["CFItems"]}
    groupings = {
        grouping["identifier"]: grouping["title"]
        for grouping in packages.role_profiles["CFDefinitions"]["CFAssociationGroupings"]
    }
    found = set()
    for association in packages.role_profiles["CFAssociations"]:
        if association["associationType"] == "isChildOf":
            continue
        assert association["associationType"] == "isRelatedTo"
        role = roles[association["originNodeURI"]["identifier"]]
        title = groupings[association["CFAssociationGroupingURI"]["identifier"]]
        match = re.fullmatch(r"(Essential|Desirable) at (\w+) proficiency", title)
        assert match, title
        competence = competences[association["destinationNodeURI"]["identifier"]]
        assert competence["CFItemType"] == "Competence statement"
        assert association["destinationNodeURI"]["uri"] == competence["uri"]
        found.add(
            (
                role["humanCodingScheme"],
                competence["humanCodingScheme"],
                match[2],
                match[1].lower(),
            )
        )
    return found


def read_moodle(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# The CASE packages


def test_both_case_packages_of_the_seed_framework_pass_both_official_schemas(seeded, validators):
    for package in both(seed_packages()):
        for name, validator in validators.items():
            found = errors(validator, package)
            assert not found, (package["CFDocument"]["title"], name, len(found), found[:5])


def test_the_official_schemas_are_the_published_files_unedited():
    for name, digest in DIGESTS.items():
        assert hashlib.sha256((STANDARDS / name).read_bytes()).hexdigest() == digest, name


def test_the_schema_checks_refuse_what_case_forbids(validators):
    """The checks are live: a date that is not RFC 3339, a property the package types do
    not name (as ``CFDocumentURI`` on every item once was) and an identifier that is not a
    UUID each fail against both files."""
    package = case_packages(small_document()).framework
    for validator in validators.values():
        assert not errors(validator, package)
    document = package["CFDocument"]
    spoils = [
        lambda p: p["CFItems"][0].update(lastChangeDateTime="5 March 2025"),
        lambda p: p["CFItems"][0].update(
            CFDocumentURI={key: document[key] for key in ("title", "identifier", "uri")}
        ),
        lambda p: p["CFAssociations"][0].update(identifier="not-a-uuid"),
    ]
    for spoil in spoils:
        spoilt = copy.deepcopy(package)
        spoil(spoilt)
        for name, validator in validators.items():
            assert errors(validator, spoilt), name


def test_the_competences_package_holds_the_competence_tree_and_no_role_profile(seeded):
    """A registry that imports every item of the competences' package as a competency
    gets exactly the framework's sections, subsections and statements."""
    packages = seed_packages()
    kinds = {"section": "Section", "subsection": "Subsection", "statement": "Competence statement"}
    rows = sql("SELECT code, kind FROM competences_competence")
    items = packages.framework["CFItems"]
    assert sorted((item["humanCodingScheme"], item["CFItemType"]) for item in items) == sorted(
        (code, kinds[kind]) for code, kind in rows
    )
    types = packages.framework["CFDefinitions"]["CFItemTypes"]
    assert sorted(t["title"] for t in types) == sorted(kinds.values())

    roles = packages.role_profiles["CFItems"]
    assert {item["CFItemType"] for item in roles} == {"Role profile"}
    assert len(roles) == sql("SELECT COUNT(*) FROM roles_roleprofile")[0][0]
    assert (
        packages.role_profiles["CFDocument"]["identifier"]
        != (packages.framework["CFDocument"]["identifier"])
    )


def test_every_item_has_exactly_one_parent_that_exists(seeded):
    for package in both(seed_packages()):
        document_id = package["CFDocument"]["identifier"]
        item_ids = {item["identifier"] for item in package["CFItems"]}
        parents = parents_by_item(package)

        assert set(parents) == item_ids
        assert all(len(links) == 1 for links in parents.values())
        assert document_id not in parents
        for links in parents.values():
            assert links[0]["destinationNodeURI"]["identifier"] in item_ids | {document_id}


def test_items_follow_the_database_tree_in_order(seeded):
    package = seed_packages().framework
    by_id = {item["identifier"]: item for item in package["CFItems"]}
    document_id = package["CFDocument"]["identifier"]
    children = defaultdict(list)
    for item_id, (link,) in parents_by_item(package).items():
        parent = link["destinationNodeURI"]["identifier"]
        parent_code = "" if parent == document_id else by_id[parent]["humanCodingScheme"]
        children[parent_code].append((link["sequenceNumber"], by_id[item_id]))

    rows = sql(
        "SELECT child.code, COALESCE(parent.code, '') FROM competences_competence child "
        "LEFT JOIN competences_competence parent ON parent.id = child.parent_id "
        "ORDER BY child.tree_id, child.lft"
    )
    expected = defaultdict(list)
    for code, parent_code in rows:
        expected[parent_code].append(code)
    assert set(children) == set(expected)
    for parent_code, codes in expected.items():
        numbered = sorted(children[parent_code], key=lambda pair: pair[0])
        assert [number for number, _item in numbered] == list(range(1, len(codes) + 1))
        assert [item["humanCodingScheme"] for _number, item in numbered] == codes


def test_identifiers_are_unique_and_identical_between_exports(seeded):
    first, second = seed_packages(), seed_packages()
    for package in both(first):
        identifiers = all_identifiers(package)
        assert len(identifiers) == len(set(identifiers))
    # Only what both documents carry alike is in both: the licence, the rubric, the areas.
    definitions = first.framework["CFDefinitions"]
    expected = {
        entry["identifier"] for entry in definitions["CFLicenses"] + definitions["CFSubjects"]
    } | {first.framework["CFRubrics"][0]["identifier"]}
    framework, roles = (set(all_identifiers(package)) for package in both(first))
    assert framework & roles == expected
    for before, after in zip(both(first), both(second), strict=True):
        assert package_bytes(before) == package_bytes(after)


def test_identifiers_published_before_keep_naming_the_same_things(seeded):
    """Identifiers come from natural keys, so they outlive any reshaping of the packages:
    these were in the package before role profiles had a document of their own."""
    packages = seed_packages()
    items = {
        item.get("humanCodingScheme"): item["identifier"]
        for package in both(packages)
        for item in package["CFItems"]
    }
    assert packages.framework["CFDocument"]["identifier"] == "1e7372e7-7576-5d7c-88ca-1234c7349b6d"
    assert items["COM.1.1"] == "3113c837-c17f-5b5b-83ba-14a376e22904"
    role = sql(
        "SELECT code FROM roles_roleprofile WHERE slug = %s", "liaison-and-diversion-practitioner"
    )
    assert items[role[0][0]] == "efe75f22-488d-5aca-b73a-10b3fe0980aa"


def test_identifiers_follow_natural_keys_not_positions():
    before = case_packages(small_document())
    changed = small_document(version=5, last_changed="2025-04-01")
    changed["roles"].reverse()
    changed["competences"].insert(
        0, _competence("AAA", None, "section", "A section that sorts first")
    )
    after = case_packages(changed)

    def identifier_by_code(packages):
        return {
            item["humanCodingScheme"]: item["identifier"]
            for package in both(packages)
            for item in package["CFItems"]
        }

    old, new = identifier_by_code(before), identifier_by_code(after)
    assert {code: new[code] for code in old} == old
    for old_package, new_package in zip(both(before), both(after), strict=True):
        assert old_package["CFDocument"]["identifier"] == new_package["CFDocument"]["identifier"]
        old_links = {a["identifier"] for a in old_package["CFAssociations"]}
        assert old_links <= {a["identifier"] for a in new_package["CFAssociations"]}


def test_role_requirements_read_back_from_the_packages_match_the_database(seeded):
    rows = sql(
        "SELECT role.code, competence.code, requirement.proficiency, requirement.requirement "
        "FROM roles_rolecompetence requirement "
        "JOIN roles_roleprofile role ON role.id = requirement.role_id "
        "JOIN competences_competence competence ON competence.id = requirement.competence_id"
    )
    expected = {(role, code, PROFICIENCY_NAMES[depth], need) for role, code, depth, need in rows}
    assert len(expected) == len(rows) > 0
    assert requirements_in(seed_packages()) == expected


def test_every_role_is_an_item_of_the_role_profiles_document_with_its_page_and_areas(seeded):
    package = seed_packages().role_profiles
    roles = package["CFItems"]
    rows = sql("SELECT code, slug, title FROM roles_roleprofile")
    assert sorted((r["humanCodingScheme"], r["fullStatement"]) for r in roles) == sorted(
        (code, title) for code, _slug, title in rows
    )
    pages = {code: f"{BASE}/roles/{slug}/" for code, slug, _title in rows}
    assert all(role["uri"] == pages[role["humanCodingScheme"]] for role in roles)
    assert all(role["conceptKeywords"] for role in roles)
    document = package["CFDocument"]["identifier"]
    for (link,) in parents_by_item(package).values():
        assert link["destinationNodeURI"]["identifier"] == document
    levels = sql("SELECT number FROM roles_level")
    concepts = package["CFDefinitions"]["CFConcepts"]
    assert sorted(int(c["hierarchyCode"]) for c in concepts) == sorted(n for (n,) in levels)


def test_statements_link_to_standards_at_their_official_address_or_this_site(seeded):
    package = seed_packages().framework
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


def test_small_document_packages_name_standards_and_roles():
    packages = case_packages(small_document())
    destinations = {
        a["destinationNodeURI"]["uri"]
        for a in packages.framework["CFAssociations"]
        if a["originNodeURI"]["title"] == "Explain the service"
    }
    assert destinations == {
        "https://www.ukstandards.org.uk/en/nos-finder/mh1",
        f"{BASE}/standards/SCD-1/",
        f"{BASE}/competences/COM.1/",
    }
    assert requirements_in(packages) == {
        ("SW-3", "COM.1.1", "working", "essential"),
        ("SW-3", "RSK.1", "awareness", "desirable"),
        ("PR-5", "COM.1.1", "proficient", "essential"),
        ("PR-5", "COM.1.2", "expert", "essential"),
        ("PR-5", "RSK.1", "working", "desirable"),
    }


def test_case_documents_carry_the_framework_block_and_its_change_date():
    packages = case_packages(small_document())
    framework, roles = packages.framework["CFDocument"], packages.role_profiles["CFDocument"]
    assert framework["title"] == "Test framework"
    assert roles["title"] == "Test framework: role profiles"
    assert framework["identifier"] in roles["description"]
    for package in both(packages):
        document = package["CFDocument"]
        assert document["creator"] == document["publisher"] == "NHS England"
        assert document["version"] == "4"
        assert document["language"] == "en"
        assert document["subject"] == ["Healthcare in court", "Liaison and Diversion"]
        # Nothing here has any history: every object is dated at the last change day.
        assert document["lastChangeDateTime"] == "2025-03-05T00:00:00+00:00"
        licences = package["CFDefinitions"]["CFLicenses"]
        assert [licence["title"] for licence in licences] == ["Open licence"]
        assert "https://licence.example.org/v3/" in licences[0]["licenseText"]
        assert document["licenseURI"]["identifier"] == licences[0]["identifier"]
        dates = {item["lastChangeDateTime"] for item in package["CFItems"]}
        dates |= {a["lastChangeDateTime"] for a in package["CFAssociations"]}
        assert dates == {"2025-03-05T00:00:00+00:00"}
        definitions = [entry for entries in package["CFDefinitions"].values() for entry in entries]
        assert {
            entry["lastChangeDateTime"]
            for entry in definitions
            if entry not in package["CFDefinitions"].get("CFConcepts", [])
            and entry not in package["CFDefinitions"]["CFSubjects"]
        } == {DEFINITIONS_CHANGED}
        types = {t["title"] for t in package["CFDefinitions"]["CFItemTypes"]}
        assert {item["CFItemType"] for item in package["CFItems"]} <= types


def test_case_packages_without_a_recorded_change_are_still_valid_and_fixed(validators):
    first = case_packages(small_document(last_changed=None))
    second = case_packages(small_document(last_changed=None))
    for package, again in zip(both(first), both(second), strict=True):
        for validator in validators.values():
            assert not errors(validator, package)
        assert package["CFDocument"]["lastChangeDateTime"] == "1970-01-01T00:00:00+00:00"
        assert package_bytes(package) == package_bytes(again)


def test_case_addresses_use_the_public_url(settings):
    settings.PUBLIC_URL = "https://elsewhere.example.net"
    official = {standard["url"] for standard in small_document()["standards"] if standard["url"]}
    for package in both(case_packages(small_document())):
        uris = set(re.findall(r'"uri": "([^"]+)"', json.dumps(package)))
        assert uris
        assert {uri for uri in uris if not uri.startswith("https://elsewhere.example.net/")} <= (
            official
        )


def test_the_definitions_date_moves_with_their_wording():
    """What is written in code has no history, so ``DEFINITIONS_CHANGED`` dates it: change
    an item type's, a grouping's or the rubric's words and this fails until the date and
    the digest below are both moved on."""
    packages = case_packages(small_document())
    wording = []
    for package in both(packages):
        for name in ("CFItemTypes", "CFAssociationGroupings", "CFLicenses"):
            wording += package["CFDefinitions"][name]
        wording += package["CFRubrics"]
    text = json.dumps(wording, sort_keys=True)
    assert DEFINITIONS_CHANGED in text
    text = re.sub(
        r'"(identifier|rubricId|rubricCriterionId|uri|lastChangeDateTime)": "[^"]*"', "", text
    )
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    assert (DEFINITIONS_CHANGED, digest) == ("2026-12-07T00:00:00+00:00", "e7dc55226d385647"), (
        "The definitions' wording changed: move DEFINITIONS_CHANGED on to today, then both "
        "values here."
    )


@pytest.mark.parametrize(
    "spoil, message",
    [
        (lambda d: d["competences"][2]["standards"].append("NOPE"), "COM.1.1: standard NOPE"),
        (lambda d: d["roles"][0]["competences"][0].update(code="GONE"), "competence GONE"),
        (lambda d: d["roles"][0]["competences"][0].update(proficiency="fluent"), "fluent"),
        (lambda d: d["competences"].insert(0, d["competences"].pop(2)), "COM.1.1: its parent"),
        (lambda d: d["roles"][0]["areas"].append("nowhere"), "area nowhere"),
    ],
)
def test_case_packages_refuse_a_document_that_contradicts_itself(spoil, message):
    document = small_document()
    spoil(document)
    with pytest.raises(ContentError, match=re.escape(message)):
        case_packages(document)


# Each object's own last change


def backdate_history(moment) -> None:
    """Every historical record moved to ``moment``, so what changes next stands out."""
    for model in content_models():
        model.history.model.objects.update(history_date=moment)


def dates_by_identifier(packages) -> dict[str, str]:
    found = {}
    for package in both(packages):
        for name in ("CFItems", "CFAssociations"):
            found |= {entry["identifier"]: entry["lastChangeDateTime"] for entry in package[name]}
    return found


LONG_AGO = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)


def test_each_object_is_dated_by_its_own_last_change(seeded):
    backdate_history(LONG_AGO)
    before = seed_packages()
    statement = Competence.objects.filter(kind="statement", requirements__isnull=False).first()
    statement.title = "Reworded in the admin"
    statement.save()
    after = seed_packages()

    old = date_time(LONG_AGO)
    changed = {
        identifier
        for identifier, when in dates_by_identifier(after).items()
        if when != dates_by_identifier(before)[identifier]
    }
    assert set(dates_by_identifier(before).values()) == {old}
    item = key_uuid(f"competence:{statement.code}")
    assert dates_by_identifier(after)[item] > old
    # The item, every association that names it, and the numbering of its siblings.
    siblings = Competence.objects.filter(parent_id=statement.parent_id)
    siblings_links = {
        key_uuid(f"association:isChildOf:competence:{s.code}:competence:{statement.parent.code}")
        for s in siblings
    }
    naming = {
        association["identifier"]
        for package in both(after)
        for association in package["CFAssociations"]
        if item
        in (
            association["originNodeURI"]["identifier"],
            association["destinationNodeURI"]["identifier"],
        )
    }
    # Requirements are numbered in tree order, so those of a role that needs it go with it.
    requirements = after.role_profiles["CFAssociations"]
    needing = {a["originNodeURI"]["identifier"] for a in requirements if a["identifier"] in naming}
    renumbered = {
        a["identifier"]
        for a in requirements
        if a["associationType"] == "isRelatedTo" and a["originNodeURI"]["identifier"] in needing
    }
    assert len(naming) > 2 and len(renumbered) > len(needing)
    assert changed == {item} | naming | siblings_links | renumbered
    assert after.framework["CFDocument"]["lastChangeDateTime"] > old


def test_a_move_dates_the_numbering_of_the_children_it_leaves(seeded):
    backdate_history(LONG_AGO)
    statement = Competence.objects.filter(kind="statement", parent__isnull=False).first()
    left_behind = list(
        Competence.objects.filter(parent_id=statement.parent_id).exclude(pk=statement.pk)
    )
    old_parent = statement.parent.code
    target = Competence.objects.filter(kind="subsection").exclude(pk=statement.parent_id).first()
    competence_move(competence=statement, target=target, position="last-child")
    dates = dates_by_identifier(seed_packages())
    old = date_time(LONG_AGO)
    for sibling in left_behind:
        link = key_uuid(f"association:isChildOf:competence:{sibling.code}:competence:{old_parent}")
        assert dates[link] > old, sibling.code
    assert dates[key_uuid(f"competence:{target.code}")] == old


def test_change_dates_take_one_query_however_large_the_framework(seeded, django_assert_num_queries):
    with django_assert_num_queries(1):
        before = change_dates()
    grow_framework()
    with django_assert_num_queries(1):
        after = change_dates()
    assert len(after) > len(before)


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
