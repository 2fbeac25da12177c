"""REST API v1 (/api/v1/): shared pieces (scopes, problem details, pagination) and the classes app's endpoints.

Each app keeps its endpoints in its own `api/` package, calling the same selectors and services as its pages;
serializers only shape what those return. Scopes are exactly the pages' (classes.access), narrowed by a
token's own scope when the request is authenticated by a personal API token.
"""
