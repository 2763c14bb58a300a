"""Load the framework's seed content from fixtures/ (areas, levels, standards, the
competence tree, learning, role profiles and progressions), then each role's ways in
(``ways_in.yaml``: entry rules, routes and pre-employment checks).

Idempotent: items are matched on their natural keys and updated in place, so running
it twice gives the same database, and a second run writes nothing. The whole load is one
transaction, written in bulk, and the tree is numbered and checked before it commits.
Use --if-empty to load only into a new database (make run does).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interchange.loading import FIXTURES_DIR, ContentError, framework_is_empty, framework_load
from pathways.models import RoleEntry
from pathways.ways_in_seed import WaysInError, load_ways_in


class Command(BaseCommand):
    help = "Load the seed content from fixtures/ (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", type=Path, default=FIXTURES_DIR, help="Folder holding the seed files."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change, then roll back."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds framework content.",
        )

    def handle(self, *args, path, dry_run=False, if_empty=False, **options):
        if if_empty and not framework_is_empty():
            self.stdout.write("The database already holds framework content; nothing loaded.")
            if not RoleEntry.objects.exists():
                # A database from before the ways in existed gets them once.
                self._load_ways_in(path, dry_run)
            return
        try:
            report = framework_load(directory=path, dry_run=dry_run)
        except ContentError as error:
            raise CommandError(f"Seed content not loaded: {error}") from error
        for line in report.lines():
            self.stdout.write(line)
        # Each role's ways in, after the roles they belong to.
        self._load_ways_in(path, dry_run)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
            return
        self.stdout.write(self.style.SUCCESS(f"Loaded the framework from {path.name}/."))

    def _load_ways_in(self, path, dry_run):
        try:
            ways_in = load_ways_in(path, dry_run=dry_run)
        except WaysInError as error:
            raise CommandError(f"Ways in not loaded: {error}") from error
        for line in ways_in.lines():
            self.stdout.write(line)
