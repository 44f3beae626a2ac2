"""Uploaded documents: the one check of their size and type, for every file a person sends."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# A document a person opens: scans, photos, spreadsheets, reports.
DOCUMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "xlsx", "xls", "ods", "csv", "docx", "odt"]


def accept() -> str:
    """The ``accept`` attribute of a file input that takes documents."""
    return ",".join(f".{ext}" for ext in DOCUMENT_EXTENSIONS)


def limit_text() -> str:
    return filesizeformat(settings.SUIVI_MAX_UPLOAD_BYTES)


def check_document(upload) -> None:
    """Refuse a file over the upload limit or of a type that is not a document."""
    limit = settings.SUIVI_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file weighs %(size)s; the limit is %(limit)s: send a smaller file.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    extension = Path(upload.name).suffix.lower().lstrip(".")
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            _("Send the document as one of these types of file: %(types)s.")
            % {"types": ", ".join(DOCUMENT_EXTENSIONS)}
        )
