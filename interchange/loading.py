"""Applying a framework document to the database: the seed content, a JSON file or a workbook.

Every source is first read into one framework document (see ``interchange/sources.py``
and ``interchange/formats.py``); this module checks the whole document and then writes
it in one transaction. A bad document changes nothing, and the error names the entry and
the problem.

Loading works in bulk: each table is read once, every entry is checked in memory (field
validation and the models' check constraints, without a query per entry), and then only
new rows are inserted and only rows whose values differ are updated, so applying
unchanged content writes nothing and the number of queries does not grow with the
content. The competence tree is numbered once, in Python.

The seed load keeps what editors added and the files do not mention; an import of a
whole framework (``remove_missing``) removes it, so the database then holds exactly the
file's content.

This module is the entry point and runs the steps in order. The parts: ``entries.py``
reads the document's entries and their natural keys, ``bulk.py`` is the bulk-upsert
engine (checking each row with ``constraints.py``), ``load_report.py`` is what a load
reports, and one loader per kind of content: ``load_reference.py`` (areas, levels,
standards), ``load_tree.py`` (the competence tree), ``load_learning.py`` and
``load_roles.py`` (role profiles and the moves between them).
"""

import datetime
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from competences.models import Competence
from competences.selectors import competence_tree_problems
from competences.services import competence_tree_load
from core import versioning
from roles.models import RoleProfile

from .entries import Locate, TooManyProblems, check_keys, entries_of, entry_errors, every_problem
from .errors import ContentError
from .formats import summary
from .load_learning import load_learning
from .load_reference import load_reference_data
from .load_report import LoadReport
from .load_roles import MoveLoader, RoleLoader
from .load_tree import delete_nodes, record_tree_changes, tree_nodes
from .sources import FIXTURES_DIR, read_seed

__all__ = ["ContentError", "FIXTURES_DIR", "framework_apply", "framework_load"]

STEPS = (
    "Checking the file",
    "Areas, levels and standards",
    "Competence tree",
    "Learning",
    "Role profiles",
    "Moves between roles",
    "Removing what the file leaves out",
    "Checking the tree",
)


def _framework_version(document: dict) -> tuple[int, datetime.date | None]:
    block = document.get("framework")
    if not isinstance(block, dict):
        raise ContentError("framework: the file does not say which framework version it holds")
    number = block.get("version")
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < 2**31 - 1:
        raise ContentError(f"framework.version: {number!r:.40} is not a version number")
    changed = block.get("last_changed")
    if changed in (None, ""):
        return number, None
    try:
        return number, datetime.date.fromisoformat(str(changed))
    except ValueError:
        raise ContentError(f"framework.last_changed: {changed!r} is not a date") from None


def _default_locate(entity: str, index: int) -> str:
    return f"{entity}[{index}]"


def framework_apply(
    document: dict,
    *,
    remove_missing: bool,
    take_version: bool,
    dry_run: bool = False,
    locate: Locate | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> LoadReport:
    """Make the stored framework match ``document``, in one transaction.

    Raises ContentError, with nothing written, when any entry is invalid; the message
    names the entry (through ``locate(entity, index)``) and the problem. With
    ``remove_missing`` entries the document leaves out are removed; with
    ``take_version`` (an import) the version and the date of the last change come from
    the document when the database held no framework before, so an export imported into
    an empty database exports the same bytes; into a database that holds one, an import
    that changes anything raises the version above both the stored one and the file's,
    so two different files never carry one version, and an import that changes nothing
    leaves it. Without ``take_version`` (the seed) the version rises by one when
    anything changed. With
    ``dry_run`` everything is done and reported, then rolled back.
    """
    if not isinstance(document, dict):
        raise ContentError("the file does not hold a framework document")
    locate = locate or getattr(document, "where", None) or _default_locate
    report = LoadReport()

    def step(number: int) -> None:
        if progress:
            progress(STEPS[number], number, len(STEPS))

    with every_problem() as found:
        try:
            return _apply(
                document, report, locate, step, remove_missing, take_version, dry_run, found
            )
        except (_Abandoned, TooManyProblems):
            pass
        except ContentError as error:
            # A problem with the file as a whole, or one that follows from those found.
            found.append(str(error))
        except Exception:
            if not found:
                raise
            # Anything else here follows from an entry already reported and skipped.
    raise ContentError(summary(list(dict.fromkeys(found))))


class _Abandoned(Exception):
    """Raised inside the transaction to roll it back when entries had problems."""


def _apply(document, report, locate, step, remove_missing, take_version, dry_run, found):
    step(0)
    if take_version:
        version = _framework_version(document)
        held_a_framework = RoleProfile.objects.exists() or Competence.objects.exists()
    check_keys(document, locate)
    with transaction.atomic(), versioning.recorded_by_caller():
        step(1)
        areas, levels, standards = load_reference_data(document, report, locate, remove_missing)
        by_number = {level.number: level for level in levels.rows.values()}

        step(2)
        entries = entries_of(document, "competences")
        sections = tree_nodes(entries, standards.rows, locate)
        gone_nodes = record_tree_changes(report, entries, remove_missing)
        competence_tree_load(sections=sections, keep_others=not remove_missing)
        competences = {c.code: c for c in Competence.objects.all()}

        step(3)
        learning = load_learning(document, report, locate, competences, remove_missing)

        step(4)
        roles = RoleLoader(competences)
        for index, item in enumerate(entries_of(document, "roles")):
            where = locate("roles", index)
            with entry_errors(where):
                roles.load(item, where, report, areas.rows, by_number)
        if remove_missing:
            roles.prune(report)

        step(5)
        moves = MoveLoader(roles)
        roles.write()
        for index, item in enumerate(entries_of(document, "progressions")):
            where = locate("progressions", index)
            with entry_errors(where):
                moves.load(item, where, report)
        if remove_missing:
            moves.prune(report)
        moves.write()

        if found:
            raise _Abandoned
        step(6)
        roles.roles.delete_removed()
        learning.delete_removed()
        delete_nodes(gone_nodes)
        for table in (standards, levels, areas):
            table.delete_removed()

        step(7)
        problems = competence_tree_problems()
        if problems:
            raise ContentError("the competence tree is corrupt: " + "; ".join(problems))
        if take_version and not held_a_framework:
            versioning.set_version(number=version[0], last_changed=version[1])
        elif take_version and report.changed:
            stored = versioning.current().number
            versioning.set_version(
                number=max(stored, version[0] or 0) + 1, last_changed=timezone.localdate()
            )
        elif report.changed:
            versioning.raise_version()
        if dry_run:
            transaction.set_rollback(True)
    return report


def framework_load(*, directory: Path = FIXTURES_DIR, dry_run: bool = False) -> LoadReport:
    """Load the seed content in ``directory``: add and update, never remove."""
    return framework_apply(
        read_seed(directory), remove_missing=False, take_version=False, dry_run=dry_run
    )


def framework_is_empty() -> bool:
    """True when no role profiles or competences are stored yet."""
    return not RoleProfile.objects.exists() and not Competence.objects.exists()
