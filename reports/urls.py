"""URLs of the reports app's pages: home, dashboards, overview."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
]
