"""Lists in pages: search, filters from the query string, and pagination. One way for all lists."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

from suivi.lib.text import accent_pattern

PER_PAGE = 50


def search(queryset: QuerySet, text: str, fields: list[str]) -> QuerySet:
    """Rows where every word of ``text`` appears in one of ``fields``, whatever the accents and
    letter case: field staff type "senou" for "Sénou" and "segou" for "Ségou"."""
    for word in text.split():
        pattern = accent_pattern(word)
        q = Q()
        for field in fields:
            q |= Q(**{f"{field}__regex": pattern})
        queryset = queryset.filter(q)
    return queryset


def filter_by(queryset: QuerySet, request, allowed: dict[str, str]) -> tuple[QuerySet, dict]:
    """Apply ``?param=value`` filters named in ``allowed`` ({param: lookup}); returns the values."""
    applied = {}
    for param, lookup in allowed.items():
        value = request.GET.get(param, "").strip()
        if value:
            queryset = queryset.filter(**{lookup: value})
            applied[param] = value
    return queryset, applied


def paginate(request, queryset: QuerySet, per_page: int = PER_PAGE):
    """The requested page; an out-of-range or malformed page number gives the nearest page."""
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    page.querystring = query.urlencode()
    return page
