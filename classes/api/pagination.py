"""Cursor pagination of every API list: stable under inserts, no page counting on large tables."""

from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """Pages of `page_size` (at most 500) in the view's `ordering` (default: by id)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "pk"

    cursor_query_description = "Курсор страницы: из ссылки `next` или `previous` предыдущего ответа."
    page_size_query_description = "Число записей на странице (по умолчанию 100, не больше 500)."

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """Describe a page in OpenAPI 3.1 (`null` as a type, not `nullable`), with Russian descriptions."""
        example = "https://dashboard.example.org/api/v1/municipalities/?cursor=cD0xMDA%3D"
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "Следующая страница; null на последней.",
                    "example": example,
                },
                "previous": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": "Предыдущая страница; null на первой.",
                    "example": example,
                },
                "results": schema,
            },
        }
