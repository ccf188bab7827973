"""python manage.py build_search_dictionary"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from essays.dictionary import corpus_words, write_dictionary


class Command(BaseCommand):
    help = (
        "Write the corpus dictionary for jieba (tag, section and person names) to "
        "settings.JIEBA_CORPUS_DICT. Run rebuild_index afterwards: documents indexed "
        "before keep the old segmentation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count the words, write nothing")

    def handle(self, *args, **options):
        path = settings.JIEBA_CORPUS_DICT
        if not path:
            raise CommandError("JIEBA_CORPUS_DICT is not set")
        words = corpus_words()
        if options["dry_run"]:
            self.stdout.write(f"{len(words)} words (dry run, nothing written)")
            return
        changed = write_dictionary(path, words)
        if changed:
            self.stdout.write(f"{len(words)} words written to {path}; run rebuild_index so the index uses them")
        else:
            self.stdout.write(f"{len(words)} words, unchanged ({path})")
