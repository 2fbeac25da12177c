"""The OpenAPI description's error answers: every operation documents the problem details it may answer.

A postprocessing hook of drf-spectacular (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): each operation gets
400 (parameters or body not valid), 401 (no or a bad token), 403 (the role may not), 404 (outside the scope),
429 (throttled) unless it documents them already, and every error answer is `application/problem+json` with
the Problem schema (classes.api.problems), as the API sends them.
"""

from __future__ import annotations

from classes.api.problems import CONTENT_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Ошибка в формате problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string", "description": "Тип ошибки: всегда about:blank."},
        "title": {"type": "string", "description": "Краткое название ошибки на языке запроса."},
        "status": {"type": "integer", "description": "HTTP-код ответа."},
        "detail": {"type": "string", "description": "Что не так и что сделать."},
        "instance": {"type": "string", "description": "Адрес запроса."},
        "errors": {
            "type": "object",
            "description": "Только для 400: ошибки по полям запроса.",
            "additionalProperties": True,
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
}
ERRORS = {
    "400": "Параметры или тело запроса не прошли проверку: «detail» и «errors» называют причину.",
    "401": "Нет токена или токен неизвестен, истёк или отозван.",
    "403": "Роли не разрешено это действие.",
    "404": "Объект вне области доступа или не существует.",
    "429": "Слишком много запросов: повторите через Retry-After секунд.",
}
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def problem_responses(result: dict, generator, request, public) -> dict:
    """Add the error answers to every operation and make every error answer a problem details object."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", PROBLEM_SCHEMA)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if str(code).startswith(("4", "5")):
                    response["content"] = {CONTENT_TYPE: {"schema": PROBLEM_REF}}
    return result
