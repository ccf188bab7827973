"""python manage.py ensure_search_index"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
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
        indexed = SearchQuerySet().models(Essay).count()
        if indexed == readable:
            self.stdout.write(f"Search index holds all {readable} readable essays.")
            return
        self.stdout.write(f"Search index holds {indexed} of {readable} readable essays: rebuilding.")
        call_command("rebuild_index", interactive=False, verbosity=options["verbosity"], stdout=self.stdout)
