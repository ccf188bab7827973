"""The curators' workplace, one file per concern:

- ``essays``: the essay changelist and change form;
- ``actions``: bulk actions on selected essays;
- ``queues``: review queues and their page;
- ``duplicates``: duplicate marking and side-by-side review;
- ``filters``: the changelist's list filters;
- ``tags``, ``sections``, ``collections``: their admins;
- ``uploads``: adding text files through the importer, after a preview;
- ``history``: each essay's versions, their diff, restore and revert;
- ``repair``: split an essay, merge it with the next;
- ``recut``: re-cut a collection, and the queue 切分待复核.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from essays.admin import collections, essays, sections, tags  # noqa: F401  (registers the admins)

admin.site.site_header = _("文集 · 策展")
admin.site.site_title = _("文集策展")
admin.site.index_title = _("策展工作台")
