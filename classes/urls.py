"""URLs of the classes app's pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
