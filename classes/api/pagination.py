"""Cursor pagination of every API list: stable under inserts, no page counting on large tables."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """Pages of `page_size` (at most 500) in the view's `ordering` (default: by id)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "pk"
