"""Print the framework health report; exit 1 when it finds an error."""

from django.core.management.base import BaseCommand, CommandError

from framework.health import ERROR, health_report


class Command(BaseCommand):
    help = (
        "Check the framework's content: role profiles against their level's norms, moves up "
        "a level, unused competences and standards, learning, near-duplicate statements and "
        "stored text. Exits with status 1 when there are errors; warnings an editor has "
        "accepted in the admin are listed with their reasons."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--errors-only", action="store_true", help="List errors only, not warnings."
        )

    def handle(self, *args, errors_only=False, **options):
        report = health_report()
        write = self.stdout.write
        for result in report.results:
            check = result.check
            if errors_only and check.severity != ERROR:
                continue
            if not result.findings and not result.accepted:
                continue
            heading = f"{check.severity.upper()}S: {check.title} ({len(result.findings)})"
            write(
                self.style.ERROR(heading)
                if check.severity == ERROR
                else self.style.WARNING(heading)
            )
            write(f"  Rule: {check.rule}")
            for finding in result.findings:
                write(f"  - {finding.message}")
                if finding.fix_url:
                    write(f"    Fix: {finding.fix_url}")
            for finding, acceptance in result.accepted:
                write(f"  - Accepted: {finding.message}")
                write(f"    Reason: {acceptance.reason}")
            write("")
        summary = (
            f"{len(report.errors)} errors, {len(report.warnings)} warnings, "
            f"{len(report.accepted)} warnings accepted."
        )
        if report.errors:
            raise CommandError(summary, returncode=1)
        write(self.style.SUCCESS(summary))
