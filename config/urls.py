from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from config.api import api
from dangjian.core import views as core_views
from dangjian.meetings import api_fast as meetings_api_fast

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (login, PDFs opened inline): answer with ours.
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # The QR check-in's fast lane, in front of the same API path (issue 13; it hands all else to the API).
    path("api/v1/meetings/<int:meeting_id>/check-in", meetings_api_fast.check_in),
    path("api/v1/", api.urls),
    path("", include("dangjian.core.urls")),
]

# Each domain app with a urls.py is mounted at /<label>/ with its label as namespace.
for config in apps.get_app_configs():
    if not config.name.startswith("dangjian.") or config.label == "core":
        continue
    try:
        import_module(f"{config.name}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{config.name}.urls":
            raise
        continue
    urlpatterns.append(path(f"{config.label}/", include(f"{config.name}.urls", namespace=config.label)))
