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


def _text(value) -> str:
    """A cell as text whatever the file: XLSX gives numbers, CSV gives text."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def by_tag(columns, rows, display_tag: str, header: str | None = None) -> list[str]:
    """The values of the first column tagged ``display_tag`` (attributes in any order) and
    headed ``header``."""
    tag, *attributes = display_tag.split("+")
    for i, column in enumerate(columns):
        same = column.tag == tag and column.attributes == set(attributes)
        if same and (header is None or column.header == header):
            return [_text(r[i]) for r in rows]
    raise AssertionError(f"no column {display_tag} {header or ''}")


# --- IATI 2.03 --------------------------------------------------------------------------------

IATI = STANDARDS / "iati-2.03"


@functools.cache
def iati_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(IATI / "schema" / "iati-activities-schema.xsd")))


def iati_schema_errors(content: bytes) -> list[str]:
    from lxml import etree

    schema = iati_schema()
    document = etree.fromstring(content)
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


@functools.cache
def _codelist(name: str) -> set[str] | None:
    from lxml import etree

    for folder in ("embedded", "non-embedded"):
        path = IATI / "codelists" / folder / f"{name}.xml"
        if path.exists():
            tree = etree.parse(str(path))
            return {item.findtext("code") for item in tree.iter("codelist-item")}
    return None


def iati_codelist_errors(content: bytes) -> list[str]:
    """Every coded value checked against its codelist, as codelists/mapping.xml says."""
    from lxml import etree

    document = etree.fromstring(content)
    mappings = etree.parse(str(IATI / "codelists" / "mapping.xml"))
    errors = []
    checked = 0
    for mapping in mappings.iter("mapping"):
        codes = _codelist(mapping.find("codelist").get("ref"))
        if codes is None:
            continue
        path = mapping.findtext("path")
        condition = mapping.findtext("condition")
        for value in document.xpath(path):
            owner = value.getparent()
            if condition and not owner.xpath(f"boolean({condition})"):
                continue
            checked += 1
            if str(value) not in codes:
                errors.append(f"{path} = {value!r} is not in {mapping.find('codelist').get('ref')}")
    assert checked, "no coded value was checked"
    return errors


def _date(text: str):
    import datetime

    return datetime.date.fromisoformat(str(text)[:10])


def _first(node, path: str):
    found = node.xpath(path)
    return found[0] if found else None


def _check_case(rule: str, case: dict, node, today) -> bool:
    """Whether ``node`` passes one case of an IATI ruleset rule (SPEC.rst semantics)."""
    import re

    if case.get("condition") and not node.xpath(f"boolean({case['condition']})"):
        return True
    paths = case.get("paths", [])
    matches = [m for p in paths for m in node.xpath(p)]
    if rule == "atleast_one":
        return bool(matches)
    if rule == "no_more_than_one":
        return len(matches) <= 1
    if rule == "unique":
        texts = [str(m if isinstance(m, str) else m.text) for m in matches]
        return len(texts) == len(set(texts))
    if rule == "no_spaces":
        texts = [str(m if isinstance(m, str) else m.text or "") for m in matches]
        return all(t == t.strip() for t in texts)
    if rule == "regex_matches":
        texts = [str(m if isinstance(m, str) else m.text or "") for m in matches]
        return all(re.search(case["regex"], t) for t in texts)
    if rule == "startswith":
        prefixes = [str(v) for p in case["prefix"] for v in node.xpath(p)]
        separator = case.get("separator", "")
        texts = [str(m if isinstance(m, str) else m.text or "") for m in matches]
        return all(any(t.startswith(f"{p}{separator}") for p in prefixes) for t in texts)
    if rule == "if_then":
        return not node.xpath(f"boolean({case['if']})") or node.xpath(f"boolean({case['then']})")
    if rule == "strict_sum":
        from decimal import Decimal

        return not matches or sum(Decimal(str(m)) for m in matches) == Decimal(case["sum"])
    if rule == "range":
        return all(case["min"] <= float(m) <= case["max"] for m in matches)
    if rule == "date_now":
        value = _first(node, case["date"])
        return value is None or _date(value) <= today
    if rule == "date_order":
        less = _first(node, case["less"])
        more = today if case["more"] == "NOW" else _first(node, case["more"])
        if less is None or more is None:
            return True
        more = more if case["more"] == "NOW" else _date(more)
        return _date(less) <= more
    if rule == "time_limit":
        start, end = _first(node, case["start"]), _first(node, case["end"])
        return start is None or end is None or (_date(end) - _date(start)).days <= 366
    if rule == "between_dates":
        date, start, end = (_first(node, case[k]) for k in ("date", "start", "end"))
        return None in (date, start, end) or _date(start) <= _date(date) <= _date(end)
    if rule == "one_or_all":
        if node.xpath(case["one"]):
            return True
        if case["all"] == "lang":
            return all(
                n.get("{http://www.w3.org/XML/1998/namespace}lang") for n in node.iter("narrative")
            )
        if case["all"] == "currency":
            return all(v.get("currency") for v in node.iter("value"))
        return all(t.xpath(case["all"]) for t in node.xpath("transaction"))
    raise AssertionError(f"rule {rule} is not understood by this check")


def iati_ruleset_errors(content: bytes) -> list[str]:
    """The IATI Validator's ruleset (rulesets/standard.json) run over an activities file.

    Cases with an ``idCondition`` need the IATI Registry's lists of identifiers (not available
    offline) and are left out.
    """
    import datetime
    import json

    from lxml import etree

    document = etree.fromstring(content)
    rules = json.loads((IATI / "rulesets" / "standard.json").read_text())
    today = datetime.date.today()
    errors = []
    for context, by_rule in rules.items():
        if context.startswith("/iati-organisations"):
            continue
        for node in document.xpath(context.replace("/iati-activities", "/iati-activities", 1)):
            for rule, body in by_rule.items():
                for case in body["cases"]:
                    if "idCondition" in case:
                        continue
                    if rule == "loop":
                        for value in {str(v) for v in node.xpath(case["foreach"])}:
                            for inner_rule, inner in case["do"].items():
                                for inner_case in inner["cases"]:
                                    sub = json.loads(json.dumps(inner_case).replace("$1", value))
                                    if not _check_case(inner_rule, sub, node, today):
                                        errors.append(
                                            f"{sub['ruleInfo']['id']}: {sub['ruleInfo']['message']}"
                                        )
                        continue
                    if not _check_case(rule, case, node, today):
                        errors.append(f"{case['ruleInfo']['id']}: {case['ruleInfo']['message']}")
    return errors
