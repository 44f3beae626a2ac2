"""Pagination of every API list: ``?limit=&offset=``, answered with the total ``count``.

This module knows nothing of Suivi's apps, so the routers in each app's ``api.py`` may use it.
"""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class LimitOffset(PaginationBase):
    """``limit`` rows (default 50, at most 500) from ``offset``; ``count`` is the whole total."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT,
            ge=1,
            le=MAX_LIMIT,
            description="How many rows to return (1 to 500, default 50).",
        )
        offset: int = Field(0, ge=0, description="How many rows to skip (0 for the first page).")

    class Output(Schema):
        count: int = Field(description="How many rows match, over all pages.")
        limit: int
        offset: int
        items: list[Any]

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request, **params: Any
    ) -> dict:
        start = pagination.offset
        return {
            "count": self._items_count(queryset),
            "limit": pagination.limit,
            "offset": start,
            "items": queryset[start : start + pagination.limit],
        }
