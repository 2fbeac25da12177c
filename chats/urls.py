"""URLs of the chats app's pages: the chat registry and the sync log."""

from django.urls import path

from . import views

urlpatterns = [
    path("schools/<int:school_id>/chats/", views.chat_registry_view, name="chat-registry"),
    path("schools/<int:school_id>/chats/confirm/", views.chat_confirm, name="chat-confirm"),
    path("chats/<int:chat_id>/update/", views.chat_update, name="chat-update"),
    path("schools/<int:school_id>/syncs/", views.sync_list, name="sync-list"),
    path("schools/<int:school_id>/syncs/run/", views.sync_now, name="sync-now"),
    path("syncs/<int:run_id>/progress/", views.sync_progress, name="sync-progress"),
    path("syncs/<int:run_id>/confirm/", views.sync_confirm, name="sync-confirm"),
    path("syncs/<int:run_id>/end/", views.sync_end, name="sync-end"),
]
