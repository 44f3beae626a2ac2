"""Phone numbers of Mali and Mauritania in one compact international form (+22376123456)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

COUNTRY_CALLING_CODES = {"ML": "223", "MR": "222"}
PHONE_INTERNATIONAL = re.compile(r"^(?:\+|00)(223|222)(\d{8})$")
PHONE_LOCAL = re.compile(r"^\d{8}$")
# What people put between the digits; removed before the number is read.
_SEPARATORS = str.maketrans("", "", " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f.-/()")


def normalise_phone(raw: str, country: str = "") -> str:
    """A Malian or Mauritanian number in compact international form (+22376123456).

    A local 8-digit number takes the calling code of the person's country when it is known.
    Raises ValidationError on anything else.
    """
    compact = raw.translate(_SEPARATORS) if raw.isascii() else re.sub(r"[\s.\-/()]", "", raw)
    if not compact:
        return ""
    if len(compact) == 8 and compact.isdigit():  # the common local form, without a regex
        code = COUNTRY_CALLING_CODES.get(country.upper())
        return f"+{code}{compact}" if code else compact
    match = PHONE_INTERNATIONAL.match(compact)
    if match:
        return f"+{match.group(1)}{match.group(2)}"
    if PHONE_LOCAL.match(compact):
        code = COUNTRY_CALLING_CODES.get(country.upper())
        return f"+{code}{compact}" if code else compact
    raise ValidationError(
        _(
            "Enter a Malian (+223) or Mauritanian (+222) number, or a local number of 8 digits, "
            "for example +223 76 12 34 56."
        )
    )
