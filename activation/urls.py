"""URLs of the activation app's pages: logins, a class's activation page, its invite links and QR sheet."""

from django.urls import path

from .views import invites, logins

urlpatterns = [
    path("schools/<int:school_id>/logins/", logins.staff_logins, name="staff-logins"),
    path("municipality/logins/", logins.admin_logins, name="admin-logins"),
    path("my/classes/<int:class_id>/", invites.teacher_class, name="teacher-class"),
    path("my/classes/<int:class_id>/qr/", invites.qr_sheet, name="qr-sheet"),
    path("my/classes/<int:class_id>/invites/", invites.invite_create, name="invite-create"),
    path("my/classes/<int:class_id>/invites/<int:link_id>/expire/", invites.invite_expire, name="invite-expire"),
    path("i/<str:key>/", invites.invite_open, name="invite-open"),
]
