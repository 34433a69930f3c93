from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/", views.plans_index, name="plans_index"),
    path("funds/", views.funds_index, name="funds_index"),
    path("org/<int:org_id>/anniversaries/", views.anniversaries, name="anniversaries"),
    path("org/<int:org_id>/table/", views.colour_table, name="colour_table"),
    path("org/<int:org_id>/medal50/", views.medal50, name="medal50"),
    path("org/<int:org_id>/plans/", views.plans, name="plans"),
    path("org/<int:org_id>/funds/", views.funds, name="funds"),
    path("greet/", views.greet, name="greet"),
    path("card/<int:member_id>/<str:kind>/<str:on>/", views.card, name="card"),
    path("member/<int:member_id>/", views.member, name="member"),
    path("plan/<int:plan_id>/", views.plan, name="plan"),
    path("visit/<int:care_visit_id>/photo/", views.visit_photo, name="visit_photo"),
    path("fund/<int:fund_id>/", views.fund, name="fund"),
    path("fund/<int:fund_id>/entries/<int:entry_id>/reverse/", views.fund_reverse, name="fund_reverse"),
    path("fund/<int:fund_id>/<str:action>/", views.fund_post, name="fund_post"),
]
