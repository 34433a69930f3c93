from django.urls import path

from dangjian.accounts import views as account_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_confirm, name="logout_confirm"),
    path("pick-org/", views.pick_org, name="pick_org"),
]
