"""URLs of the classes app's pages: class management and the school profile."""

from django.urls import path

from . import views

urlpatterns = [
    path("schools/<int:school_id>/classes/", views.class_list, name="class-list"),
    path("schools/<int:school_id>/classes/create/", views.class_create, name="class-create"),
    path("classes/<int:class_id>/update/", views.class_update, name="class-update"),
    path("schools/<int:school_id>/profile/", views.school_profile, name="school-profile"),
]
