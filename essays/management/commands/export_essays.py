"""python manage.py export_essays [--output FILE]"""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essays.exporting import export_lines


def summary(counts: dict) -> str:
    return (
        f"exported {counts.get('essay', 0)} essays, {counts.get('collection', 0)} collections, "
        f"{counts.get('tag', 0)} tags, {counts.get('section', 0)} sections, {counts.get('history', 0)} history records"
    )


class Command(BaseCommand):
    help = (
        "Write the archive as a backup (JSON Lines: a header, then sections, tags, collections, "
        "essays and their change history), to stdout or --output FILE; manage.py restore_essays reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (written whole or not at all)")

    def handle(self, *args, **options):
        output = options["output"]
        if not output or output == "-":
            counts = {}
            for line in export_lines(counts):
                sys.stdout.write(line)
            self.stderr.write(summary(counts))
            return
        target = Path(output)
        if target.is_dir():
            raise CommandError(f"{output}: is a folder; give a file name")
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise CommandError(f"{output}: folder {folder} does not exist")
        # Write beside the target, then rename: a crash never leaves half a backup.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        counts = {}
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                for line in export_lines(counts):
                    handle.write(line)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if options["verbosity"] > 0:
            self.stdout.write(f"{summary(counts)} to {target}")
