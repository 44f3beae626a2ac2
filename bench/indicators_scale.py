"""The indicator engine at country scale on PostgreSQL, against hand-written SQL.

Run from the repository root (PostgreSQL only; the database is dropped and made again):

    .venv/bin/python bench/indicators_scale.py --scale 1.0 \\
        --db postgres://postgres@127.0.0.1:5432/suivi_bench_indicators

Prints: the time to generate the data; one project's quarter (its 15 indicators, every
disaggregation: sex x age band x population group x disability x admin 1); the whole portfolio's
quarter; the same figures from one hand-written SQL GROUP BY per indicator, checked equal, and
the ratio engine / hand SQL; the peak memory of this process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--scale", type=float, default=0.05, help="1.0 = a country operation")
parser.add_argument(
    "--db", default="postgres://postgres@127.0.0.1:5432/suivi_bench_indicators", help="PostgreSQL"
)
parser.add_argument("--projects", type=int, default=5, help="projects timed one by one")
parser.add_argument(
    "--reuse",
    action="store_true",
    help="keep the database when it already holds generated data (the scale given is not checked)",
)
args = parser.parse_args()

url = urlparse(args.db)
dbname = url.path.lstrip("/")
os.environ["SUIVI_DATABASE_URL"] = args.db
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
# The engine's own time is measured: no figure is taken from the cache.
os.environ["SUIVI_FIGURES_CACHE_SECONDS"] = "0"

import psycopg  # noqa: E402

with psycopg.connect(args.db.replace(f"/{dbname}", "/postgres"), autocommit=True) as admin:
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
    if not (args.reuse and exists):
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        admin.execute(f'CREATE DATABASE "{dbname}"')

import django  # noqa: E402

django.setup()

import country  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from suivi.lib import ages  # noqa: E402
from suivi.projects.models import Indicator  # noqa: E402
from suivi.reports import indicators  # noqa: E402

call_command("migrate", verbosity=0)
call_command("places_load", verbosity=0)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


from suivi.projects.models import Project  # noqa: E402

if args.reuse and Indicator.objects.exists():
    print("Reusing the generated data already in the database.")
    projects = list(Project.objects.order_by("pk"))
else:
    print(f"Generating scale {args.scale}:")
    made = country.build(args.scale)
    print(f"  generated in {made['seconds']:.1f} s")
    projects = list(made["projects"])


def quarter_of(project):
    return project.periods.get(kind="quarter", year=2026, number=2)


def project_quarter(project):
    period = quarter_of(project)
    chosen = list(project.indicators.select_related("project").order_by("code"))
    found = indicators.figures_many([(i, period) for i in chosen])
    return {i.code: found[(i.pk, period.pk)].cells for i in chosen}


# --- The hand-written SQL: one GROUP BY per indicator -----------------------------------------

PERSON, AREA = "registry_person", "places_area"


def age_case(on) -> str:
    whens = []
    for code, _low, _high in ages.AGE_BANDS:
        earliest, latest = ages.birth_bounds(code, on)
        cond = f"p.birth_date <= '{latest}'"
        if earliest is not None:
            cond += f" AND p.birth_date > '{earliest}'"
        whens.append(f"WHEN {cond} THEN '{code}'")
    return f"CASE WHEN p.birth_date IS NULL THEN 'unknown' {' '.join(whens)} ELSE 'unknown' END"


def dims_sql(on) -> str:
    return (
        "p.sex, " + age_case(on) + ", p.population_group, "
        "CASE WHEN p.has_disability THEN 'yes' ELSE 'no' END, "
        "CASE WHEN a.level >= 1 THEN substr(a.pcode, 1, 4) ELSE 'unknown' END"
    )


def person_where(spec: dict, on) -> str:
    where = []
    if spec.get("sex"):
        where.append(f"p.sex = '{spec['sex']}'")
    if spec.get("disability") is not None:
        where.append(f"p.has_disability = {str(bool(spec['disability'])).lower()}")
    if spec.get("age_min") is not None:
        where.append(f"p.birth_date <= '{ages._years_before(on, spec['age_min'])}'")
    if spec.get("age_max") is not None:
        where.append(f"p.birth_date > '{ages._years_before(on, spec['age_max'] + 1)}'")
    return "".join(f" AND {w}" for w in where)


def hand_sql(indicator, period) -> str | None:
    d = indicator.definition
    start = indicator.project.start_date if indicator.cumulative else period.start
    end, pid = period.end, indicator.project_id
    source, measure = d["source"], indicators.measure_of(indicator)
    if source == "attendance":
        rows = (
            "delivery_attendance r JOIN delivery_session s ON s.id = r.session_id "
            f"WHERE s.project_id = {pid} AND s.date BETWEEN '{start}' AND '{end}'"
        )
        if d.get("session_kinds"):
            rows += " AND s.kind IN (" + ", ".join(f"'{k}'" for k in d["session_kinds"]) + ")"
    elif source == "distribution":
        rows = (
            "delivery_distribution r "
            f"WHERE r.project_id = {pid} AND r.date BETWEEN '{start}' AND '{end}'"
        )
        if d.get("distribution_kinds"):
            rows += " AND r.kind IN (" + ", ".join(f"'{k}'" for k in d["distribution_kinds"]) + ")"
    elif source == "registration":
        rows = (
            "registry_registration r "
            f"WHERE r.project_id = {pid} AND r.registered_on BETWEEN '{start}' AND '{end}'"
        )
    else:
        return None
    person = person_where(d.get("person", {}), end)
    if measure == "persons":
        having = f" HAVING count(*) >= {d['min_count']}" if d.get("min_count", 1) > 1 else ""
        return (
            f"WITH q AS (SELECT r.person_id FROM {rows} AND r.person_id IS NOT NULL "
            f"GROUP BY r.person_id{having}) "
            f"SELECT {dims_sql(end)}, count(*) FROM q JOIN {PERSON} p ON p.id = q.person_id "
            f"LEFT JOIN {AREA} a ON a.id = p.area_id WHERE true{person} GROUP BY 1, 2, 3, 4, 5"
        )
    amount = {"rows": "count(*)", "quantity": "sum(r.quantity)", "value": "sum(r.value)"}[measure]
    table, where = rows.split(" WHERE ", 1)
    return (
        f"SELECT {dims_sql(end)}, {amount} FROM {table} JOIN {PERSON} p ON p.id = r.person_id "
        f"LEFT JOIN {AREA} a ON a.id = p.area_id WHERE {where}{person} GROUP BY 1, 2, 3, 4, 5"
    )


NAMES = ["sex", "age_band", "population_group", "disability", "area"]


def hand_cells(indicator, period) -> dict | None:
    sql = hand_sql(indicator, period)
    if sql is None:
        return None
    cells: dict[str, Decimal] = defaultdict(Decimal)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for *values, amount in cursor.fetchall():
            amount = Decimal(amount or 0)
            cells[""] += amount
            for name, value in zip(NAMES, values, strict=True):
                cells[f"{name}={value}"] += amount
            cells["|".join(f"{n}={v}" for n, v in zip(NAMES, values, strict=True))] += amount
    cells.setdefault("", Decimal(0))
    return dict(cells)


# --- Measures ----------------------------------------------------------------------------------

print("\nOne project's quarter (15 indicators, all disaggregations):")
# One untimed pass first, so that neither side pays for reading the tables from disk.
project_quarter(projects[-1])
engine_times, hand_times, checked = [], [], 0
for project in projects[: args.projects]:
    t = time.perf_counter()
    engine = project_quarter(project)
    engine_times.append(time.perf_counter() - t)
    period = quarter_of(project)
    t = time.perf_counter()
    hand = {}
    for indicator in project.indicators.select_related("project").order_by("code"):
        cells = hand_cells(indicator, period)
        if cells is not None:
            hand[indicator.code] = cells
    hand_times.append(time.perf_counter() - t)
    for code, cells in hand.items():
        mine = {k: v for k, v in engine[code].items() if v}
        theirs = {k: v for k, v in cells.items() if v}
        if mine != theirs:
            print(f"  MISMATCH {project.code} {code}: {len(mine)} cells vs {len(theirs)}")
        else:
            checked += 1
print(
    f"  engine: median {statistics.median(engine_times):.2f} s, max {max(engine_times):.2f} s "
    f"over {len(engine_times)} projects"
)
print(f"  hand SQL (the 14 indicators it can write): median {statistics.median(hand_times):.2f} s")
print(f"  ratio engine / hand SQL: {sum(engine_times) / sum(hand_times):.2f}x")
print(f"  figures checked equal: {checked} indicators")

print("\nThe whole portfolio's quarter (every disaggregation), as the portfolio dashboard asks:")
t = time.perf_counter()
portfolio = [
    (i, quarter_of(i.project))
    for i in Indicator.objects.filter(project__in=projects).select_related("project")
]
found = indicators.figures_many(portfolio)
cells = sum(len(f.cells) for f in found.values())
print(
    f"  {len(found):,} indicators of {len(projects)} projects in {time.perf_counter() - t:.1f} s "
    f"({cells:,} cells); peak memory so far {peak_mb():.0f} MB"
)
for project in projects[: args.projects]:
    alone = project_quarter(project)
    period = quarter_of(project)
    together = {
        i.code: found[(i.pk, period.pk)].cells for i, p in portfolio if i.project_id == project.pk
    }
    if alone != together:
        print(f"  MISMATCH {project.code}: the portfolio's figures differ from the project's")
print(f"  figures checked equal to each project computed alone: {args.projects} projects")
print("\nThe logframe report page and a quarterly DOCX of one project (figures kept in the cache):")
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from suivi.accounts.models import Role, User  # noqa: E402
from suivi.accounts.services import membership_grant  # noqa: E402
from suivi.reports import services as reports  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
settings.SUIVI_FIGURES_CACHE_SECONDS = 6 * 3600
setup_test_environment()
cache.clear()  # nothing kept from an earlier run
project = projects[0]
me = User.objects.filter(email="me@bench.test").first()
if me is None:
    me = User.objects.create_user("me@bench.test", "bench-Suivi-2026")
    membership_grant(user=me, organisation=project.organisation, role=Role.ME_OFFICER, by=None)
client = Client()
client.force_login(me)
url = reverse("reports:logframe_report", args=[project.pk]) + "?kind=quarter"


def timed(label, call):
    t = time.perf_counter()
    call()
    print(f"  {label:<52} {(time.perf_counter() - t) * 1000:>8.0f} ms")


def page():
    assert client.get(url).status_code == 200


def docx():
    report = reports.donor_report_request(
        project=project,
        kind="quarterly",
        language="fr",
        format="docx",
        by=me,
        quarter=quarter_of(project),
    )
    if report.status == report.Status.WAITING:
        reports.donor_report_run(report=report)


timed("logframe page, first reading (computes)", page)
timed("logframe page, figures kept", page)
from suivi.delivery.models import Attendance, Distribution, Session  # noqa: E402
from suivi.delivery.services import attendance_record  # noqa: E402
from suivi.registry.models import Person, Registration  # noqa: E402

elsewhere = Session.objects.filter(project=projects[1]).order_by("-date").first()
present = Attendance.objects.filter(session=elsewhere).values("person_id")
newcomer = (
    Registration.objects.filter(project=projects[1]).exclude(person_id__in=present).first().person
)
attendance_record(session=elsewhere, persons=[newcomer], by=me)
timed("logframe page, after an attendance in another project", page)
timed("quarterly DOCX, figures kept", docx)

portfolio_url = reverse("reports:portfolio_dashboard")


def portfolio_page():
    response = client.get(portfolio_url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    return len(response.content)


print("\nThe portfolio dashboard (200 projects) and the figures kept ahead by the worker:")
cache.clear()
timed("portfolio dashboard, first reading (computes)", portfolio_page)
timed("portfolio dashboard, figures kept", portfolio_page)
print(f"  portfolio dashboard transferred (gzip): {portfolio_page() / 1024:,.0f} KiB")
cache.clear()
warmed = {}
timed("figures_warm, every project, nothing kept", lambda: warmed.update(n=reports.figures_warm()))
timed("figures_warm again, figures kept", reports.figures_warm)
print(f"  figures ready: {warmed['n']:,}")
print(f"\nPeak memory of this process: {peak_mb():.0f} MB")
print(
    f"Data: {Person.objects.count():,} persons, {Attendance.objects.count():,} attendance rows, "
    f"{Distribution.objects.count():,} distributions, {Indicator.objects.count():,} indicators"
)
