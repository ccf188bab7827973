"""python manage.py retag [--dry-run]"""

from django.core.management.base import BaseCommand

from essays import retagging
from essays.search.sync import deferred, update_essays


class Command(BaseCommand):
    help = (
        "Recompute the automatic tags of every essay from the archive's vocabulary (after the archive grew). "
        "Tags a curator added or removed are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        verbosity = options["verbosity"]
        with deferred():
            report = retagging.retag(dry_run=dry_run)
        if not dry_run and report.changed:
            update_essays(report.changed)
        if verbosity > 0:
            for change in report.changes if (dry_run or verbosity > 1) else []:
                parts = [f"+{n}" for n in change.added] + [f"-{n}" for n in change.removed]
                self.stdout.write(f"{change.title}: {' '.join(parts)}")
            for term, variants in report.vocabulary.merges():
                self.stdout.write(f"folded: {'、'.join(variants)} → {term}")
            self.stdout.write(f"before: {report.before.line()}")
            self.stdout.write(f"after:  {report.after.line()}")
            verb = "would change" if dry_run else "changed"
            self.stdout.write(f"{verb} the tags of {len(report.changes)} essays" + (" (dry run)" if dry_run else ""))
