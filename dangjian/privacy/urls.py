from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("members/<int:member_id>/export/", views.member_export, name="member_export"),
]
