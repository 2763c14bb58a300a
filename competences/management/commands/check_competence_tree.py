"""Report whether the competence tree's stored nested sets are sound.

Exits non-zero when the tree is corrupt, so scripts and CI can rely on it.
With --rebuild, recomputes the tree from the parent links and checks again.
"""

from django.core.management.base import BaseCommand, CommandError

from competences.models import Competence
from competences.selectors import competence_tree_problems
from competences.services import competence_tree_rebuild


class Command(BaseCommand):
    help = "Check the competence tree for corruption; --rebuild repairs it from parent links."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute the nested-set numbers from the parent links, then check again.",
        )

    def handle(self, *args, rebuild=False, **options):
        problems = competence_tree_problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems and rebuild:
            self.stdout.write(f"Found {len(problems)} problem(s); rebuilding the tree.")
            competence_tree_rebuild()
            problems = competence_tree_problems()
            for problem in problems:
                self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"The competence tree is corrupt ({len(problems)} problem(s)). "
                "Run again with --rebuild to repair it."
            )
        count = Competence.objects.count()
        self.stdout.write(self.style.SUCCESS(f"The competence tree is sound ({count} nodes)."))
