"""python manage.py ensure_search_index"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from essays.search.sync import repair


class Command(BaseCommand):
    help = (
        "Bring the search index in step with the database, touching only the difference: "
        "readable essays it lacks or holds from before their last change, documents of essays "
        "no longer readable. A missing index is created and filled; one that cannot be opened "
        "is moved aside and refilled. `make run` and the container call it at start."
    )

    def handle(self, *args, **options):
        try:
            result = repair()
        except Exception as exc:  # an unreachable server, an unwritable folder
            where = settings.HAYSTACK_CONNECTIONS["default"]
            location = where.get("PATH") or where.get("URL", "?")
            raise CommandError(f"search index at {location} cannot be repaired: {type(exc).__name__}: {exc}") from exc
        if options["verbosity"] > 0:
            self.stdout.write(result.line())
