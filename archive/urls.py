from django.contrib import admin
from django.urls import include, path

from archive.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("essays.urls")),
]

handler400 = "essays.views.bad_request"
handler404 = "essays.views.page_not_found"
handler500 = "essays.views.server_error"
