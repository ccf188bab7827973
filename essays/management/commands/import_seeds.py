"""python manage.py import_seeds [PATH ...]"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from essays.importer import Importer, collect_paths


class Command(BaseCommand):
    help = "Import essay text files (.txt files, or folders of them; default: seeds/)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="files or folders (default: seeds/)")
        parser.add_argument("--no-index", action="store_true", help="leave the search index alone")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--force",
            action="store_true",
            help="re-parse files even if unchanged (after a parser update); curator edits are kept",
        )

    def handle(self, *args, **options):
        paths = options["paths"] or [settings.BASE_DIR / "seeds"]
        files = collect_paths(paths)
        if not files:
            raise CommandError(f"no .txt files found in {', '.join(str(p) for p in paths)}")
        importer = Importer(update_index=not options["no_index"], force=options["force"])
        verbosity = options["verbosity"]
        show_bar = not options["no_progress"] and verbosity > 0 and sys.stderr.isatty()
        bar = None
        if show_bar:
            from tqdm import tqdm

            bar = tqdm(total=len(files), unit="file", desc="importing", file=sys.stderr)

        def progress(file_report):
            if bar is not None:
                bar.update(1)
            if file_report.status == "failed":
                self.stderr.write(file_report.line())
            elif verbosity > 1 or (verbosity > 0 and bar is None):
                self.stdout.write(file_report.line())

        report = importer.import_paths(files, progress=progress)
        if bar is not None:
            bar.close()
        if report.index_error:
            self.stderr.write(report.index_error)
        if verbosity > 0:
            self.stdout.write(report.summary())
            if verbosity > 1:
                self.stdout.write(f"time: {report.costs_line()}")
            repaired = report.repair
            if repaired is not None and (repaired.indexed or repaired.removed):
                self.stdout.write(repaired.line())
        if report.failed or report.index_error:
            sys.exit(1)
