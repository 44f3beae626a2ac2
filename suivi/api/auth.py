"""Who is calling the API: an API token, or the browser's logged-in session.

Scripts and other systems send ``Authorization: Bearer <key>`` (a key from
``suivi.accounts.services.api_token_create``). Suivi's own pages may call the API with the
session cookie; then unsafe methods need the CSRF token, as a form post would. A token is not
sent by the browser on its own, so it needs no CSRF check.

Answers come in the caller's language: the ``Accept-Language`` header or language cookie when
the client sends one, otherwise the language chosen in the user's profile.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from suivi.accounts.services import api_token_user

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def use_language_of(request: HttpRequest, user) -> None:
    """Answer in the user's language unless the client asked for one."""
    asked = request.META.get("HTTP_ACCEPT_LANGUAGE") or request.COOKIES.get(
        settings.LANGUAGE_COOKIE_NAME
    )
    if asked or not getattr(user, "language", ""):
        return
    translation.activate(user.language)
    request.LANGUAGE_CODE = translation.get_language()


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``: the active user owning an unrevoked token."""

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(token.strip()) if token.strip() else None
        if user is None:
            # Remembered so that the 401 answer says the token was refused, not missing.
            request.suivi_token_refused = True
            return None
        request.user = user
        use_language_of(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session; unsafe methods must carry the CSRF token.

    Unlike ninja's own session authentication, CSRF is checked only once the session is known
    to be logged in, so that an anonymous call is answered 401 rather than 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise HttpError(
                403,
                _(
                    "CSRF check failed: send the X-CSRFToken header with the value of the "
                    "csrftoken cookie, or use an API token."
                ),
            )
        use_language_of(request, user)
        return user
