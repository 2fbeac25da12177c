"""URLs of the activation app's pages: logins, a class's activation page, its invite links and QR sheet."""

from django.urls import include
from django.urls import path

from .views import invites
from .views import logins

# A teacher's class: my/classes/<class id>/…
class_pages = [
    path("", invites.teacher_class, name="teacher-class"),
    path("qr/", invites.qr_sheet, name="qr-sheet"),
    path("invites/", invites.invite_create, name="invite-create"),
    path("invites/<int:link_id>/expire/", invites.invite_expire, name="invite-expire"),
]

urlpatterns = [
    path("schools/<int:school_id>/logins/", logins.staff_logins, name="staff-logins"),
    path("municipality/logins/", logins.admin_logins, name="admin-logins"),
    path("my/classes/<int:class_id>/", include(class_pages)),
    path("i/<str:key>/", invites.invite_open, name="invite-open"),
]
