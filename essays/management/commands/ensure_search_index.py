"""python manage.py ensure_search_index"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from haystack.query import SearchQuerySet

from essays.models import Essay


class Command(BaseCommand):
    help = (
        "Rebuild the search index when it does not hold every readable essay (a new "
        "folder, another engine's files, an index from an older version); otherwise do "
        "nothing. `make run` calls it before importing."
    )

    def handle(self, *args, **options):
        readable = Essay.objects.readable().count()
        try:
            indexed = SearchQuerySet().models(Essay).count()
        except Exception as exc:  # an unreachable server, an unreadable folder
            where = settings.HAYSTACK_CONNECTIONS["default"]
            location = where.get("PATH") or where.get("URL", "?")
            raise CommandError(f"search index at {location} cannot be read: {type(exc).__name__}: {exc}") from exc
        if indexed == readable:
            self.stdout.write(f"Search index holds all {readable} readable essays.")
            return
        self.stdout.write(f"Search index holds {indexed} of {readable} readable essays: rebuilding.")
        call_command("rebuild_index", interactive=False, verbosity=options["verbosity"], stdout=self.stdout)
