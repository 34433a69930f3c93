from django.urls import path

from . import twofactor, views

app_name = "accounts"
urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/toggle-active/", views.user_toggle_active, name="user_toggle_active"),
    path("roles/<int:role_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("audit/", views.audit_list, name="audit"),
    path("2fa/", twofactor.setup_view, name="totp_setup"),
    path("2fa/verify/", twofactor.verify_view, name="totp_verify"),
]
