"""The REST API, version 1: authentication, error answers, and one router per app's api.py.

The schema is served at /api/v1/openapi.json and browsable at /api/v1/docs.
"""

from ninja import NinjaAPI

from suivi.api import errors
from suivi.api.auth import ApiTokenAuth, SessionAuth
from suivi.delivery.api import router as delivery_router
from suivi.projects.api import router as projects_router
from suivi.registry.api import router as registry_router
from suivi.reports.api import exports_router
from suivi.reports.api import router as reports_router

DESCRIPTION = """
Projects, logframes, indicators and their figures, persons, sessions, attendance and
distributions: the rows you may see on Suivi's pages, and nothing else.

**Authentication.** Send `Authorization: Bearer <key>` with an API token. Suivi's own pages may
use the logged-in session instead; then POST, PATCH and DELETE need the `X-CSRFToken` header.

**Lists** take `limit` (default 50, at most 500) and `offset`, and answer
`{"count", "limit", "offset", "items"}`.

**Errors** are JSON with a `detail` sentence in your language (`Accept-Language`, otherwise your
profile's language). Bad input is 422 with `errors`: `{field: [messages]}`. A row that does not
exist or that you may not see is 404; one you see but may not change is 403; data in a locked
reporting period is 409. A refused request writes nothing.
"""

api = NinjaAPI(
    title="Suivi API",
    version="1",
    urls_namespace="api",
    description=DESCRIPTION,
    auth=[ApiTokenAuth(), SessionAuth()],
)
errors.install(api)
api.add_router("", projects_router)
api.add_router("", reports_router)
api.add_router("", registry_router)
api.add_router("", delivery_router)
api.add_router("", exports_router)
