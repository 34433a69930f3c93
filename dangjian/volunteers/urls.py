from django.urls import path

from .views import activities, needs, posts, units

app_name = "volunteers"
urlpatterns = [
    path("", units.units, name="units"),
    path("units/new/", units.unit_new, name="unit_new"),
    path("units/<int:unit_id>/", units.unit_detail, name="unit_detail"),
    path("units/<int:unit_id>/members/<int:volunteer_id>/remove/", units.unit_member_remove, name="unit_member_remove"),
    path("profiles/", units.profiles, name="profiles"),
    path("profiles/new/", units.profile_new, name="profile_new"),
    path("profiles/<int:volunteer_id>/", units.profile_detail, name="profile_detail"),
    path("profiles/<int:volunteer_id>/edit/", units.profile_edit, name="profile_edit"),
    path("stats/", units.stats, name="stats"),
    path("ledger.xlsx", units.export_ledger, name="export"),
    path("activities/", activities.activities, name="activities"),
    path("activities/new/", activities.activity_new, name="activity_new"),
    path("activities/<int:activity_id>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:activity_id>/photos/<int:photo_id>/", activities.photo, name="photo"),
    path("activities/<int:activity_id>/<slug:action>/", activities.activity_action, name="activity_action"),
    path("deeds/", activities.deeds, name="deeds"),
    path("posts/", posts.posts, name="posts"),
    path("posts/new/", posts.post_new, name="post_new"),
    path("posts/<int:post_id>/", posts.post_detail, name="post_detail"),
    path("posts/<int:post_id>/claim/", posts.post_claim, name="post_claim"),
    path("claims/<int:claim_id>/agreement/", posts.agreement, name="agreement"),
    path("claims/<int:claim_id>/agreement.pdf", posts.agreement_pdf, name="agreement_pdf"),
    path("claims/<int:claim_id>/<slug:action>/", posts.claim_action, name="claim_action"),
    path("public/<int:org_id>/posts/", posts.public_claims, name="public_claims"),
    path("needs/", needs.needs, name="needs"),
    path("needs/new/", needs.need_new, name="need_new"),
    path("needs/<int:need_id>/", needs.need_detail, name="need_detail"),
    path("needs/<int:need_id>/<slug:action>/", needs.need_action, name="need_action"),
    path("me/", needs.me, name="me"),
]
