"""python manage.py restore_essays FILE [--replace]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essays.restoring import NotABackup, NotEmpty, restore


class Command(BaseCommand):
    help = (
        "Read a backup written by export_essays into an empty database (essays, texts, "
        "collections with their raw files, sections, tags and their old names, statuses, "
        "duplicate links, curator changes, times, change history), in one transaction; then bring the search "
        "index in step. --replace first deletes the archive's essays, collections and tags."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by export_essays")
        parser.add_argument(
            "--replace", action="store_true", help="delete the essays, collections and tags already here first"
        )
        parser.add_argument("--no-index", action="store_true", help="leave the search index alone")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            restored = restore(path, replace=options["replace"])
        except NotABackup as exc:
            raise CommandError(f"{path}: {exc}") from None
        except NotEmpty as exc:
            raise CommandError(f"{path}: not restored: {exc}; use --replace to replace them") from None
        if options["verbosity"] > 0:
            self.stdout.write(f"{path}: {restored.line()}")
        if not options["no_index"]:
            from essays.search.sync import repair

            try:
                result = repair()
            except Exception as exc:  # the database is restored; the index can be repaired later
                raise CommandError(
                    f"search index not updated ({type(exc).__name__}: {exc}); run ensure_search_index"
                ) from exc
            if options["verbosity"] > 0:
                self.stdout.write(result.line())
