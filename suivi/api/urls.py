"""The REST API, version 1: token authentication, one router per app's api.py."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Suivi API",
    version="1",
    urls_namespace="api",
    description="Projects, logframes, indicators, persons, sessions, attendance and distributions.",
)
