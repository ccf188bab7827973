"""python manage.py export_essays [--output FILE]"""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essays.exporting import export_lines


class Command(BaseCommand):
    help = "Write every essay as JSON Lines (the backup format), to stdout or --output FILE."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (written whole or not at all)")

    def handle(self, *args, **options):
        output = options["output"]
        if not output or output == "-":
            count = 0
            for line in export_lines():
                sys.stdout.write(line)
                count += 1
            self.stderr.write(f"exported {count} essays")
            return
        target = Path(output)
        if target.is_dir():
            raise CommandError(f"{output}: is a folder; give a file name")
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise CommandError(f"{output}: folder {folder} does not exist")
        # Write beside the target, then rename: a crash never leaves half a backup.
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        count = 0
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                for line in export_lines():
                    handle.write(line)
                    count += 1
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if options["verbosity"] > 0:
            self.stdout.write(f"exported {count} essays to {target}")
