from django.urls import path

from . import views, views_mediation, views_public

app_name = "petitions"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.petition_create, name="create"),
    path("export/", views.export, name="export"),
    path("figures/", views.figures, name="figures"),
    path("<int:petition_id>/", views.detail, name="detail"),
    path("<int:petition_id>/step/", views.step, name="step"),
    path("<int:petition_id>/transfer/", views.transfer, name="transfer"),
    path("mediations/", views_mediation.mediations, name="mediations"),
    path("mediations/new/", views_mediation.mediation_create, name="mediation_create"),
    path("mediations/<int:mediation_id>/", views_mediation.mediation_detail, name="mediation"),
    path("mediations/<int:mediation_id>/follow-up/", views_mediation.mediation_follow_up, name="mediation_follow_up"),
    path("mediations/<int:mediation_id>/pdf/", views_mediation.mediation_pdf, name="mediation_pdf"),
    path("public/", views_public.public_form, name="public"),
    path("track/", views_public.track, name="public_track"),
]
