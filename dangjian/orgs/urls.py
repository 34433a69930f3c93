from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("pick/", views.picker, name="picker"),
    path("<int:org_id>/", views.detail, name="detail"),
    path("<int:org_id>/new/", views.create_child, name="create_child"),
    path("<int:org_id>/edit/", views.edit, name="edit"),
    path("<int:org_id>/move/", views.move, name="move"),
    path("<int:org_id>/groups/", views.group_create, name="group_create"),
]
