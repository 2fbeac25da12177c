"""URLs of the reports app's pages: home, the school dashboard, a class, teachers' activity, the overview."""

from django.urls import path

from . import views
from .views import teacher

urlpatterns = [
    # The teacher's pages and invite links.
    path("my/", teacher.teacher_home, name="teacher-home"),
    path("my/activity/", teacher.teacher_activity, name="teacher-activity"),
    path("my/classes/<int:class_id>/", teacher.teacher_class, name="teacher-class"),
    path("my/classes/<int:class_id>/qr/", teacher.qr_sheet, name="qr-sheet"),
    path("my/classes/<int:class_id>/invites/", teacher.invite_create, name="invite-create"),
    path("my/classes/<int:class_id>/invites/<int:link_id>/expire/", teacher.invite_expire, name="invite-expire"),
    path("i/<str:key>/", teacher.invite_open, name="invite-open"),
    path("", views.home, name="home"),
    path("schools/<int:school_id>/", views.school_dashboard, name="school-dashboard"),
    path("schools/<int:school_id>/export/classes/", views.school_classes_export, name="school-classes-export"),
    path("schools/<int:school_id>/teachers/", views.teacher_activity, name="school-teacher-activity"),
    path("schools/<int:school_id>/teachers/build/", views.teacher_activity_build, name="teacher-activity-build"),
    path("schools/<int:school_id>/export/teachers/", views.teacher_activity_export, name="teacher-activity-export"),
    path("schools/<int:school_id>/export/chats/", views.chat_registry_export, name="chat-registry-export"),
    path("classes/<int:class_id>/", views.class_detail, name="class-detail"),
    path("municipality/", views.municipal_overview, name="municipal-overview"),
    path("municipality/export/", views.municipal_export, name="municipal-export"),
]
