"""The URL map. Each app contributes its own ``urls.py``; the web shell (home, health) is here."""

from django.contrib import admin
from django.urls import include, path

from dancu import views

admin.site.site_header = "Quản trị Dancu / Dancu administration"
admin.site.site_title = "Dancu"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("", include("dancu.registry.urls")),
    path("", include("dancu.linkage.urls")),
    path("", include("dancu.identity.urls")),
    path("", include("dancu.exchange.urls")),
]
