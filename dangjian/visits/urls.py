from django.urls import path

from . import views, views_work

app_name = "visits"
urlpatterns = [
    path("", views.households, name="households"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("households/<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path("my/", views.my_plan, name="my"),
    path("logs/", views.logs, name="logs"),
    path("logs/new/", views.log_create, name="log_create"),
    path("logs/export/", views.logs_export, name="logs_export"),
    path("logs/<int:visit_log_id>/", views.log_detail, name="log"),
    path("pairings/new/", views.pairing_create, name="pairing_create"),
    path("pairings/<int:pairing_id>/end/", views.pairing_end, name="pairing_end"),
    path("pairings/<int:pairing_id>/help/", views.help_create, name="help_create"),
    path("plans/", views_work.plans, name="plans"),
    path("plans/new/", views_work.plan_create, name="plan_create"),
    path("plans/<int:visit_plan_id>/", views_work.plan_detail, name="plan"),
    path("coverage/", views_work.coverage, name="coverage"),
    path("checks/", views_work.checks, name="checks"),
    path("meetings/new/", views_work.meeting_create, name="meeting_create"),
    path("meetings/<int:analysis_meeting_id>/", views_work.meeting_detail, name="meeting"),
    path("publications/new/", views_work.publication_create, name="publication_create"),
    path("publications/<int:monthly_publication_id>/", views_work.publication_detail, name="publication"),
    path("spot-checks/new/", views_work.spot_check_create, name="spot_check_create"),
    path("spot-checks/<int:spot_check_id>/", views_work.spot_check_detail, name="spot_check"),
    path("spot-checks/<int:spot_check_id>/items/<int:spot_check_item_id>/", views_work.spot_check_record, name="spot_check_record"),
]
