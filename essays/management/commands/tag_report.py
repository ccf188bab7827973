"""python manage.py tag_report"""

from django.core.management.base import BaseCommand

from essays import retagging, textutil
from essays.models import Essay


class Command(BaseCommand):
    help = (
        "Tag figures: each essay's own keywords (jieba TF-IDF, the old way) against the archive's vocabulary "
        "(essays.tagging), and the tags the archive has now."
    )

    def handle(self, *args, **options):
        essays = Essay.objects.only("pk", "title", "text", "status", "duplicate_of")
        keywords = {e.pk: textutil.suggest_tags(e.title, e.text) for e in essays}
        vocabulary = retagging.vocabulary()
        self.stdout.write(f"per-essay keywords: {retagging.figures(keywords, replace=True).line()}")
        self.stdout.write(f"archive vocabulary: {retagging.figures(vocabulary.assigned, replace=True).line()}")
        self.stdout.write(f"now:                {retagging.figures().line()}")
        for term, variants in vocabulary.merges():
            self.stdout.write(f"folded: {'、'.join(variants)} → {term}")
