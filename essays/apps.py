from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class EssaysConfig(AppConfig):
    name = "essays"
    verbose_name = _("文集")

    def ready(self):
        from essays import freshness
        from essays.textutil import init_jieba

        freshness.connect()

        # An index a migration adds gets SQLite's statistics at once: without
        # them the planner may take it for a small one (essays.planner).
        from django.db.models.signals import post_migrate

        post_migrate.connect(analyze_new_indexes_after_migrate, sender=self)

        from django.apps import apps

        from essays.models import make_history_managers_once

        make_history_managers_once(apps.get_models())

        # Load jieba's dictionary once per process, at start-up, not on the
        # first search or import.
        init_jieba(settings.JIEBA_CACHE_DIR)
        # Tag, section and person names of this archive, when
        # build_search_dictionary has written them.
        from essays.dictionary import load_dictionary

        load_dictionary(getattr(settings, "JIEBA_CORPUS_DICT", None))
        # The Traditional-to-Simplified table search folds with (0.2 s).
        from essays.search.tokens import fold

        fold("")


def analyze_new_indexes_after_migrate(sender, using="default", **kwargs):
    from django.db import connections

    from essays.planner import analyze_new_indexes

    analyze_new_indexes(connections[using])
