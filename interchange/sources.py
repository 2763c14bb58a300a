"""The seed content in ``fixtures/`` read as a framework document.

The YAML files are written by hand, so they allow what the document does not: lists for
one-per-line text, nested competence trees, kinds and defaults left out. Reading them
gives the same document an export makes, and the loader treats it like any import.
Each entry's file is remembered, so a problem is reported against the file it is in.
"""

from pathlib import Path

import yaml
from django.conf import settings

from .document import LEVEL_NORMS, ROLE_TEXT_FIELDS
from .errors import ContentError

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
# libyaml's parser reads the same safe subset of YAML as PyYAML's own, many times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The role's free-text fields: one-per-line lists in the YAML become text.
ROLE_TEXT = tuple(
    name
    for name in ROLE_TEXT_FIELDS
    if name not in ("indicative_band", "lived_experience_route", "registered_profession")
)


class SeedDocument(dict):
    """A framework document that also knows which file each entry came from."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.origins: dict[tuple[str, int], str] = {}

    def where(self, entity: str, index: int) -> str:
        return self.origins.get((entity, index), f"{entity}[{index}]")


def _read(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=SAFE_LOADER)
    except FileNotFoundError as error:
        raise ContentError(f"{path.name}: file is missing") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{path.name}: not valid YAML: {error}") from error


def _list(path: Path) -> list:
    items = _read(path) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ContentError(f"{path.name}: expected a list of items")
    return items


def _lines(value) -> str:
    """Lists in the YAML become one-per-line text fields."""
    if isinstance(value, list):
        return "\n".join(str(item).strip() for item in value)
    return str(value or "").strip()


def _flatten(items, parent, depth: int, out: list, where: str) -> None:
    for item in items or []:
        if not isinstance(item, dict):
            raise ContentError(f"{where}: every node must be a mapping ({item!r:.80})")
        if not item.get("code") or not item.get("title"):
            raise ContentError(f"{where}: every node needs a code and a title ({item!r:.80})")
        if depth == 0:
            kind = "section"
        else:
            kind = item.get("kind") or ("subsection" if item.get("children") else "statement")
        out.append(
            {
                "code": str(item["code"]),
                "parent": parent,
                "kind": kind,
                "title": str(item["title"]).strip(),
                "description": _lines(item.get("description")),
                "knowledge": _lines(item.get("knowledge")),
                "skills": _lines(item.get("skills")),
                "foundation": bool(item.get("foundation", False)),
                "standards": [str(ref) for ref in item.get("standards") or []],
            }
        )
        _flatten(item.get("children"), str(item["code"]), depth + 1, out, where)


def read_seed(directory: Path = FIXTURES_DIR) -> SeedDocument:
    """Read every seed file in ``directory`` into one framework document."""
    document = SeedDocument(
        framework={
            "title": str(settings.SERVICE_NAME),
            "publisher": settings.FRAMEWORK_PUBLISHER,
            "edition": settings.FRAMEWORK_EDITION,
            "version": None,
            "last_changed": None,
            "licence": dict(settings.FRAMEWORK_LICENCE),
        }
    )

    def add(entity: str, entries: list, origin: str) -> None:
        start = len(document.setdefault(entity, []))
        document[entity].extend(entries)
        for offset, entry in enumerate(entries):
            key = entry.get("slug") or entry.get("code") or entry.get("title") or ""
            label = f"{origin} {key}".strip() if len(entries) > 1 else origin
            document.origins[(entity, start + offset)] = label

    add(
        "areas",
        [
            {
                "slug": item.get("slug"),
                "name": item.get("name"),
                "short_name": item.get("short_name"),
                "position": item.get("position", 0),
                "summary": _lines(item.get("summary")),
                "description": _lines(item.get("description")),
            }
            for item in _list(directory / "areas.yaml")
        ],
        "areas.yaml",
    )
    add(
        "levels",
        [
            {
                "number": item.get("number"),
                "name": item.get("name"),
                "descriptor": _lines(item.get("descriptor")),
                "indicative_band": str(item.get("indicative_band") or ""),
                **{name: item[name] for name in LEVEL_NORMS if name in item},
            }
            for item in _list(directory / "levels.yaml")
        ],
        "levels.yaml",
    )
    add(
        "standards",
        [
            {
                "reference": str(item.get("reference") or item.get("code")),
                "code": item.get("code"),
                "suite": item.get("suite"),
                "title": _lines(item.get("title")),
                "organisation": item.get("organisation"),
                "url": item.get("url") or "",
                "status": item.get("status", "current"),
            }
            for item in _list(directory / "standards.yaml")
        ],
        "standards.yaml",
    )
    files = sorted((directory / "competences").glob("*.yaml"))
    if not files:
        raise ContentError("competences/: no competence sections found")
    document["competences"] = []
    for path in files:
        nodes: list = []
        _flatten(_list(path), None, 0, nodes, f"competences/{path.name}")
        add("competences", nodes, f"competences/{path.name}")
    add(
        "learning",
        [
            {
                "title": item.get("title"),
                "kind": item.get("kind"),
                # Blank means the learning suits every level.
                "level": item.get("level") or None,
                "suits_from": item.get("suits_from"),
                "suits_to": item.get("suits_to"),
                "provider": item.get("provider") or "",
                "url": item.get("url") or "",
                "cost": str(item.get("cost") or ""),
                "caution": str(item.get("caution") or ""),
                "description": _lines(item.get("description")),
                "competences": [str(code) for code in item.get("competences") or []],
            }
            for item in _list(directory / "learning.yaml")
        ],
        "learning.yaml",
    )
    document["roles"] = []
    for path in sorted((directory / "roles").glob("*.yaml")):
        item = _read(path)
        if not isinstance(item, dict) or "slug" not in item:
            raise ContentError(f"roles/{path.name}: a role file needs at least a slug")
        role = {
            "slug": item["slug"],
            "code": item.get("code"),
            "title": _lines(item.get("title")),
            "level": item.get("level"),
            "areas": list(item.get("areas") or []),
            **{name: _lines(item.get(name)) for name in ROLE_TEXT},
            "indicative_band": str(item.get("indicative_band") or ""),
            "lived_experience_route": bool(item.get("lived_experience_route", False)),
            "registered_profession": bool(item.get("registered_profession", False)),
            "competences": [
                {
                    "code": need.get("code"),
                    "proficiency": str(need.get("proficiency", "working")).lower(),
                    "requirement": need.get("requirement", "essential"),
                }
                if isinstance(need, dict)
                else need
                for need in item.get("competences") or []
            ],
        }
        add("roles", [role], f"roles/{path.name}")
    add(
        "progressions",
        [
            {
                "from": item.get("from"),
                "to": item.get("to"),
                "kind": item.get("kind"),
                "note": _lines(item.get("note")),
                "drops": [
                    {"code": drop.get("code"), "reason": _lines(drop.get("reason"))}
                    if isinstance(drop, dict)
                    else drop
                    for drop in item.get("drops") or []
                ],
            }
            for item in _list(directory / "progressions.yaml")
        ],
        "progressions.yaml",
    )
    return document
