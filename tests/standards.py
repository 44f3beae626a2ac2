"""Checks of exported files against standards material nobody on the team wrote.

HXL: the file must parse with libhxl, and every hashtag and attribute must be in the HXL core
schema (../shared/standards/hxl), neither deprecated nor rejected.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

STANDARDS = Path("/work/shared/standards")
RETIRED = {"Deprecated", "Rejected"}


@functools.cache
def hxl_core() -> tuple[set[str], set[str]]:
    folder = STANDARDS / "hxl"
    with open(folder / "hxl-core-schema-hashtags.hxl.csv", encoding="utf-8") as f:
        tags = {r[0] for r in list(csv.reader(f))[2:] if r and r[3] not in RETIRED}
    with open(folder / "hxl-core-schema-attributes.hxl.csv", encoding="utf-8") as f:
        attributes = {r[0] for r in list(csv.reader(f))[2:] if r and r[3] not in RETIRED}
    return tags, attributes


def hxl_parse(content: bytes) -> tuple[list, list[list[str]]]:
    """(columns, rows) of an HXL file (CSV or XLSX) read by libhxl."""
    import hxl

    dataset = hxl.data(io.BytesIO(content))
    columns = list(dataset.columns)
    rows = [list(row.values) for row in dataset]
    return columns, rows


def assert_core_hxl(columns) -> None:
    tags, attributes = hxl_core()
    tagged = [c for c in columns if c.tag]
    assert tagged, "no HXL hashtag"
    for column in tagged:
        assert column.tag in tags, f"{column.tag} is not a core HXL hashtag"
        for attribute in column.attributes:
            assert f"+{attribute}" in attributes, f"+{attribute} is not a core HXL attribute"


def by_tag(columns, rows, display_tag: str, header: str | None = None) -> list[str]:
    """The values of the first column tagged ``display_tag`` (and headed ``header``)."""
    for i, column in enumerate(columns):
        if column.display_tag == display_tag and (header is None or column.header == header):
            return [r[i] for r in rows]
    raise AssertionError(f"no column {display_tag} {header or ''}")
