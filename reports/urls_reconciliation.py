"""URLs of the reconciliation pages.

Included from sferum_admin/urls.py with `path("", include("reports.urls_reconciliation"))`.
"""

from django.urls import path

from . import views_reconciliation as views

urlpatterns = [
    path("schools/<int:school_id>/reconciliation/", views.reconciliation_page, name="reconciliation"),
    path("schools/<int:school_id>/reconciliation/run/", views.reconciliation_run_view, name="reconciliation-run"),
    path(
        "schools/<int:school_id>/reconciliation/<int:reconciliation_id>/",
        views.reconciliation_detail,
        name="reconciliation-detail",
    ),
    path(
        "schools/<int:school_id>/reconciliation/<int:reconciliation_id>/sign-off/",
        views.reconciliation_sign_off_view,
        name="reconciliation-sign-off",
    ),
    path(
        "schools/<int:school_id>/reconciliation/<int:reconciliation_id>/export.<str:fmt>",
        views.reconciliation_export_view,
        name="reconciliation-export",
    ),
    path(
        "schools/<int:school_id>/reconciliation/items/<int:item_id>/resolve/",
        views.reconciliation_item_resolve_view,
        name="reconciliation-item-resolve",
    ),
]
