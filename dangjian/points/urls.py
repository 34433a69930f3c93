from django.urls import path

from . import views, views_catalog, views_pledges, views_public

app_name = "points"
urlpatterns = [
    path("", views.index, name="index"),
    path("ranking/", views.ranking_view, name="ranking"),
    path("ledger/", views.ledger_view, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("ledger/org-entry/", views.org_entry, name="org_entry"),
    path("queue/", views.queue_view, name="queue"),
    path("members/<int:member_id>/", views.member_view, name="member"),
    path("entries/<int:point_entry_id>/approve/", views.entry_approve, name="entry_approve"),
    path("entries/<int:point_entry_id>/reject/", views.entry_reject, name="entry_reject"),
    path("entries/<int:point_entry_id>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("entries/<int:point_entry_id>/evidence/", views.evidence, name="evidence"),
    path("rules/", views_catalog.rules_view, name="rules"),
    path("rules/new/", views_catalog.rule_create, name="rule_create"),
    path("rules/<int:point_rule_id>/", views_catalog.rule_detail, name="rule_detail"),
    path("scheme/", views_catalog.scheme_view, name="scheme"),
    path("publications/", views_public.publications, name="publications"),
    path("publications/<int:publication_id>/", views_public.publication_view, name="publication"),
    path("publications/<int:publication_id>/pdf/", views_public.publication_pdf, name="publication_pdf"),
    path("objections/<int:objection_id>/resolve/", views_public.objection_resolve, name="objection_resolve"),
    path("me/", views_public.me, name="me"),
    path("pledges/", views_pledges.pledges_view, name="pledges"),
    path("pledges/<int:pledge_id>/", views_pledges.pledge_view, name="pledge"),
    path("ratings/", views_pledges.ratings_view, name="ratings"),
    path("warnings/", views_pledges.warnings_view, name="warnings"),
    path("warnings/<int:point_warning_id>/", views_pledges.warning_view, name="warning"),
]
