"""The project's URLs without any `roster-change-report` page, whether or not the project has one yet."""

from django.urls import URLResolver, path

from sferum_admin.urls import urlpatterns as project_urlpatterns


def _without(patterns: list) -> list:
    kept = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = _without(pattern.url_patterns)
            kept.append(path(str(pattern.pattern), (inner, pattern.app_name, pattern.namespace)))
        elif pattern.name != "roster-change-report":
            kept.append(pattern)
    return kept


urlpatterns = _without(project_urlpatterns)
