from django.urls import path

from . import views, views_cases

app_name = "dues"
urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("org/<int:org_id>/sheet/", views.sheet, name="sheet"),
    path("org/<int:org_id>/tick/", views.tick, name="tick"),
    path("org/<int:org_id>/report/", views.report, name="report"),
    path("org/<int:org_id>/arrears/", views.arrears, name="arrears"),
    path("org/<int:org_id>/export.xlsx", views.export, name="export"),
    path("org/<int:org_id>/publication/", views.publication, name="publication"),
    path("org/<int:org_id>/bills/issue/", views_cases.bills_issue, name="bills_issue"),
    path("member/<int:member_id>/", views.member, name="member"),
    path("member/<int:member_id>/arrears/", views_cases.member_case, name="member_case"),
    path("cases/<int:case_id>/dispose/", views_cases.case_dispose, name="case_dispose"),
    path("member/<int:member_id>/base/", views.base_set, name="base_set"),
    path("member/<int:member_id>/pay/", views.pay, name="pay"),
    path("member/<int:member_id>/exemptions/", views.exemption_create, name="exemption_create"),
    path("exemptions/<int:exemption_id>/revoke/", views.exemption_revoke, name="exemption_revoke"),
    path("payments/<int:payment_id>/reverse/", views.reverse_payment, name="reverse_payment"),
    path("payments/<int:payment_id>/receipt/", views.receipt, name="receipt"),
]
