from django.urls import path

from . import views, views_public

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("need/", views.public_need, name="public_need"),
    # 公开信息 (no login; names start with "public": the scope matrix treats them as public pages).
    path("public/", views_public.public_index, name="public_index"),
    path("public/disclosures/", views_public.public_disclosures, name="public_disclosures"),
    path("public/brands/", views_public.public_brands, name="public_brands"),
    path("public/models/", views_public.public_models, name="public_models"),
    path("public/venues/", views_public.public_venues, name="public_venues"),
]
