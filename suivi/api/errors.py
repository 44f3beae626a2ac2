"""How the API answers when it cannot do what was asked: always JSON, in the caller's language.

Every refusal carries ``detail``, one sentence for a person. Bad input (422) also carries
``errors``: ``{field: [messages]}``, each message saying what to send instead; ``__all__`` holds
what concerns no single field (for example a locked period). A refusal never writes anything:
the services are atomic.

| status | when |
|---|---|
| 400 | the body is not JSON |
| 401 | no API token, or a revoked or unknown one, and no logged-in session |
| 403 | the row is visible but the user may not change it, or the CSRF token is missing |
| 404 | the row does not exist or the user may not see it (the two look the same) |
| 409 | the data is locked in a reporting period, likely duplicates, or a concurrent change |
| 422 | bad input: a field is missing, has the wrong type or breaks a rule |
"""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

# The sources of a request value, first in the location pydantic reports for an error.
SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


# The refusals every operation may answer, for the OpenAPI schema.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}


def _limit(ctx: dict, *names: str):
    for name in names:
        if name in ctx:
            return ctx[name]
    return ""


def input_message(error: dict) -> str:
    """One pydantic error as a sentence saying what to send instead."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field: remove it or check its spelling.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a date as YYYY-MM-DD, for example 2026-03-14.")
    if kind.startswith("int"):
        return _("Enter a whole number.")
    if kind == "decimal_max_places":
        return _("Enter a number with at most %(limit)s decimal places.") % {
            "limit": _limit(ctx, "decimal_places")
        }
    if kind in ("decimal_whole_digits", "decimal_max_digits"):
        return _("This number is too large.")
    if kind.startswith("decimal") or kind.startswith("float"):
        return _("Enter a number, for example 12.5.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind == "string_too_long":
        return _("Use at most %(limit)s characters.") % {"limit": _limit(ctx, "max_length")}
    if kind == "string_too_short":
        return _("This field cannot be empty.")
    if kind.startswith("string"):
        return _("Enter text between double quotes.")
    if kind == "greater_than_equal":
        return _("Enter a value of at least %(limit)s.") % {"limit": _limit(ctx, "ge")}
    if kind == "greater_than":
        return _("Enter a value above %(limit)s.") % {"limit": _limit(ctx, "gt")}
    if kind == "less_than_equal":
        return _("Enter a value of at most %(limit)s.") % {"limit": _limit(ctx, "le")}
    if kind == "less_than":
        return _("Enter a value below %(limit)s.") % {"limit": _limit(ctx, "lt")}
    if kind == "too_short":
        return _("Give at least %(limit)s item(s).") % {"limit": _limit(ctx, "min_length")}
    if kind == "too_long":
        return _("Give at most %(limit)s items.") % {"limit": _limit(ctx, "max_length")}
    if kind in ("list_type", "set_type", "tuple_type"):
        return _("Give a list between square brackets, for example [12, 15].")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _('Send a JSON object, for example {"name": "value"}.')
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    return str(error.get("msg", _("This value is not valid.")))


def field_of(loc) -> str:
    """``("body", "payload", "persons", 0)`` -> ``persons``; ``("query", "limit")`` -> ``limit``."""
    parts = list(loc or ())
    if parts and parts[0] in SOURCES:
        parts = parts[1:]
        # A body schema is reported under its parameter name; the client never sees that name.
        if loc[0] == "body" and len(parts) > 1:
            parts = parts[1:]
    names = [str(p) for p in parts if not isinstance(p, int)]
    return ".".join(names) or NON_FIELD_ERRORS


def validation_response(api: NinjaAPI, request: HttpRequest, errors: dict) -> HttpResponse:
    body = {
        "detail": _("Some values are not valid: correct the fields listed and send again."),
        "errors": errors,
    }
    return api.create_response(request, body, status=422)


def install(api: NinjaAPI) -> None:
    """Register Suivi's error answers on ``api``."""

    def on_input_error(request, exc: NinjaValidationError):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(field_of(error.get("loc")), []).append(input_message(error))
        return validation_response(api, request, errors)

    def on_rule_broken(request, exc: DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {field: list(messages) for field, messages in exc.message_dict.items()}
        else:
            errors = {NON_FIELD_ERRORS: list(exc.messages)}
        return validation_response(api, request, errors)

    def on_unauthenticated(request, exc: AuthenticationError):
        if getattr(request, "suivi_token_refused", False):
            detail = _(
                "This API token is unknown or revoked: create a new token, or ask your "
                "administrator."
            )
        else:
            detail = _(
                "Authentication required: send the header 'Authorization: Bearer <key>' "
                "with your API token, or log in."
            )
        response = api.create_response(request, {"detail": detail}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="suivi"'
        return response

    def on_not_found(request, exc: Http404):
        detail = _("Not found: no such record, or you may not see it.")
        return api.create_response(request, {"detail": detail}, status=404)

    def on_forbidden(request, exc: PermissionDenied):
        detail = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": detail}, status=403)

    def on_http_error(request, exc: HttpError):
        detail = str(exc)
        # ninja refuses a body it cannot parse with this English sentence.
        if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = _(
                "The request body is not valid JSON: check the quotes, commas and brackets, "
                "and send the header 'Content-Type: application/json'."
            )
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    def on_conflict(request, exc: IntegrityError):
        logger.warning("API write refused by a database constraint: %s", exc)
        detail = _(
            "This change conflicts with another one saved at the same time: "
            "reload the data and try again."
        )
        return api.create_response(request, {"detail": detail}, status=409)

    api.add_exception_handler(NinjaValidationError, on_input_error)
    api.add_exception_handler(DjangoValidationError, on_rule_broken)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(IntegrityError, on_conflict)
