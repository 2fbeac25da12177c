"""URLs of the chats app's pages."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
