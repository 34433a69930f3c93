from django.urls import path

from . import views

app_name = "recruitment"
urlpatterns = [
    path("", views.board, name="board"),
    path("org/<int:org_id>/", views.board, name="board_org"),
    path("new/", views.applicant_new, name="applicant_new"),
    path("plan/", views.plan, name="plan"),
    path("me/", views.me, name="me"),
    path("<int:member_id>/dossier/", views.dossier, name="dossier"),
    path("<int:member_id>/dossier/pdf/", views.dossier_pdf, name="dossier_pdf"),
    path("<int:member_id>/dossier/<int:document_id>/void/", views.dossier_void, name="dossier_void"),
    path("<int:member_id>/", views.person, name="person"),
    path("<int:member_id>/steps/", views.record_step, name="record_step"),
    path("<int:member_id>/steps/<int:step_id>/void/", views.void_step, name="void_step"),
    path("<int:member_id>/leaving/", views.set_leaving, name="set_leaving"),
]
