"""URLs of the chats app's pages: the chat registry and the sync log."""

from django.urls import include
from django.urls import path

from . import views

# A school's chats and syncs: schools/<id>/…
school_pages = [
    path("chats/", views.chat_registry_view, name="chat-registry"),
    path("chats/confirm/", views.chat_confirm, name="chat-confirm"),
    path("syncs/", views.sync_list, name="sync-list"),
    path("syncs/run/", views.sync_now, name="sync-now"),
]

# One sync run: syncs/<run id>/…
sync_run_pages = [
    path("progress/", views.sync_progress, name="sync-progress"),
    path("confirm/", views.sync_confirm, name="sync-confirm"),
    path("end/", views.sync_end, name="sync-end"),
]

urlpatterns = [
    path("schools/<int:school_id>/", include(school_pages)),
    path("chats/<int:chat_id>/update/", views.chat_update, name="chat-update"),
    path("syncs/<int:run_id>/", include(sync_run_pages)),
]
