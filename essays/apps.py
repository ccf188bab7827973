from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class EssaysConfig(AppConfig):
    name = "essays"
    verbose_name = _("文集")

    def ready(self):
        from essays.textutil import init_jieba

        # Load jieba's dictionary once per process, at start-up, not on the
        # first search or import.
        init_jieba(settings.JIEBA_CACHE_DIR)
