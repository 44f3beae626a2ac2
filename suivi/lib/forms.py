"""Forms in pages: how a service's refusal reaches the form the user filled in."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_error(
    form: forms.Form, error: ValidationError, renames: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: on the field it names when the form has it
    (``renames`` maps a service's field name to the form's), otherwise above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        name = (renames or {}).get(field, field)
        form.add_error(name if name in form.fields else None, errors)
