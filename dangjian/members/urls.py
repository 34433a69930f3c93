from django.urls import path

from . import views, views_import, views_lifecycle as lc

app_name = "members"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("new/", views.create, name="create"),
    path("export/", views.export, name="export"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
    path("bulk-group/", views.bulk_group, name="bulk_group"),
    path("import/", views_import.import_page, name="import"),
    path("me/", views.me, name="me"),
    path("change-requests/", views.change_requests, name="change_requests"),
    path("change-requests/<int:request_id>/decide/", views.change_request_decide, name="change_request_decide"),
    path("transfers/", lc.transfers, name="transfers"),
    path("transfers/<int:transfer_id>/decide/", lc.transfer_decide, name="transfer_decide"),
    path("mobile/", lc.mobile, name="mobile"),
    path("mobile/<int:record_id>/action/", lc.mobile_action, name="mobile_action"),
    path("cases/", lc.cases, name="cases"),
    path("<int:member_id>/", views.detail, name="detail"),
    path("<int:member_id>/edit/", views.edit, name="edit"),
    path("<int:member_id>/reveal-id/", views.reveal_id, name="reveal_id"),
    path("<int:member_id>/transfer/", lc.transfer_new, name="transfer_new"),
    path("<int:member_id>/mobile/", lc.mobile_new, name="mobile_new"),
    path("<int:member_id>/disposal/", lc.disposal_new, name="disposal_new"),
]
