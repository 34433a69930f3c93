from django.urls import path

from . import views

app_name = "elections"
urlpatterns = [
    path("", views.index, name="index"),
    path("terms/", views.terms_index, name="terms_index"),
    path("list/", views.list_index, name="list_index"),
    path("org/<int:org_id>/", views.committee, name="committee"),
    path("org/<int:org_id>/record/", views.committee_record, name="committee_record"),
    path("org/<int:org_id>/settings/", views.term_settings, name="term_settings"),
    path("org/<int:org_id>/terms/", views.terms, name="terms"),
    path("org/<int:org_id>/elections/", views.election_list, name="list"),
    path("committees/<int:committee_id>/postpone/", views.committee_postpone, name="committee_postpone"),
    path("committees/<int:committee_id>/approve/", views.committee_approve, name="committee_approve"),
    path("<int:election_id>/", views.election_detail, name="detail"),
    path("<int:election_id>/candidates/", views.election_candidates, name="candidates"),
    path("<int:election_id>/result/", views.election_result, name="result"),
    path("<int:election_id>/revote/", views.election_revote, name="revote"),
    path("<int:election_id>/install/", views.election_install, name="install"),
    path("<int:election_id>/report.pdf", views.election_report, name="report"),
]
