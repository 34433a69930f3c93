from django.urls import path

from . import views, views_venues

app_name = "standards"
urlpatterns = [
    path("", views.index, name="index"),
    path("venues/", views.venues_index, name="venues_index"),
    path("models/", views.models_index, name="models_index"),
    path("warnings/", views.warnings_index, name="warnings_index"),
    path("org/<int:org_id>/", views.org_standards, name="org"),
    path("org/<int:org_id>/coverage/", views.coverage, name="coverage"),
    path("org/<int:org_id>/checklists/", views.checklists, name="checklists"),
    path("org/<int:org_id>/warnings/", views.size_warnings, name="warnings"),
    path("org/<int:org_id>/warnings/settings/", views.size_settings, name="size_settings"),
    path("org/<int:org_id>/venues/", views_venues.venues, name="venues"),
    path("org/<int:org_id>/models/", views_venues.models, name="models"),
    path("checklists/<int:standard_checklist_id>/", views.checklist_detail, name="checklist"),
    path("checklists/<int:standard_checklist_id>/recheck/", views.checklist_recheck, name="checklist_recheck"),
    path("checks/<int:standard_check_id>/", views.check_detail, name="check"),
    path("checks/<int:standard_check_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("checks/<int:standard_check_id>/verdict/", views.check_judge, name="check_judge"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("venues/<int:venue_id>/", views_venues.venue_detail, name="venue"),
    path("venues/<int:venue_id>/photos/", views_venues.venue_photo_add, name="venue_photo_add"),
    path("venue-photos/<int:venue_photo_id>/", views_venues.venue_photo, name="venue_photo"),
    path("models/<int:model_designation_id>/", views_venues.designation_detail, name="model"),
    path("models/<int:model_designation_id>/review/", views_venues.designation_review, name="model_review"),
    # Public pages (no login): their names start with "public" (the scope matrix skips them for anonymous users).
    path("public/venues/", views_venues.public_venues, name="public_venues"),
    path("public/photos/<str:token>/", views_venues.public_photo, name="public_photo"),
    path("public/models/", views_venues.public_models, name="public_models"),
]
