"""URLs of the activation app's pages: the teacher's pages, invite links, logins."""

from django.urls import path

from . import views, views_logins

urlpatterns = [
    path("my/", views.teacher_home, name="teacher-home"),
    path("my/activity/", views.teacher_activity, name="teacher-activity"),
    path("my/classes/<int:class_id>/", views.teacher_class, name="teacher-class"),
    path("my/classes/<int:class_id>/qr/", views.qr_sheet, name="qr-sheet"),
    path("my/classes/<int:class_id>/invites/", views.invite_create, name="invite-create"),
    path("my/classes/<int:class_id>/invites/<int:link_id>/expire/", views.invite_expire, name="invite-expire"),
    path("i/<str:key>/", views.invite_open, name="invite-open"),
    path("schools/<int:school_id>/logins/", views_logins.staff_logins, name="staff-logins"),
    path("municipality/logins/", views_logins.admin_logins, name="admin-logins"),
]
