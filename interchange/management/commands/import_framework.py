"""Replace the stored framework with the one in a file exported from this site.

Accepts the framework JSON document or the Excel workbook (the admin offers a blank
one). The whole file is checked before anything is written; then the database is made
to match it exactly in one transaction: entries the file adds are created, entries it
changes are updated, entries it leaves out are removed, and the framework version and
the date of the last change are taken from the file. Use --dry-run to see the changes
without saving them.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from interchange.errors import ContentError
from interchange.importing import import_framework

SHOWN_VALUE = 70  # characters of an old or new value shown in the list of changes


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= SHOWN_VALUE else value[: SHOWN_VALUE - 1] + "…"


class Command(BaseCommand):
    help = "Import the whole framework from a JSON or Excel file exported from this site."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The .json or .xlsx file to import.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would change, field by field, and save nothing.",
        )

    def handle(self, *args, file: Path, dry_run=False, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        show_bar = options.get("verbosity", 1) > 0
        with tqdm(total=1, desc="Importing", unit="step", disable=not show_bar) as bar:

            def progress(step: str, done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.set_description(step)
                bar.refresh()

            try:
                report = import_framework(data, name=file.name, dry_run=dry_run, progress=progress)
            except ContentError as error:
                raise CommandError(f"{file.name} was not imported: {error}") from None
            bar.n = bar.total
            bar.set_description("Done")
        for line in report.lines():
            self.stdout.write(line)
        if dry_run or options.get("verbosity", 1) > 1:
            for kind, changes in report.by_kind():
                self.stdout.write(f"\n{kind}")
                for change in changes:
                    self.stdout.write(f"  {change.outcome}: {change.key}")
                    for name, old, new in change.fields:
                        self.stdout.write(f"    {name}: {_short(old)!r} -> {_short(new)!r}")
        if not report.changed:
            self.stdout.write("The file matches the stored framework: nothing to change.")
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
            return
        self.stdout.write(self.style.SUCCESS(f"Imported the framework from {file.name}."))
