"""Reports at scale: the logframe report page and a quarterly donor report on PostgreSQL.

Run from the repository root:

    .venv/bin/python bench/reports_scale.py [--persons 100000] [--indicators 40]

It creates a dedicated database (``suivi_reports_bench`` on the local PostgreSQL unless
``SUIVI_BENCH_DATABASE_URL`` names another), fills one project with many indicators, persons,
sessions, attendance and distributions, then prints how long the logframe report page and a
quarterly DOCX, PDF and XLSX take, and the peak memory of the process. The database is dropped
at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
URL = os.environ.get("SUIVI_BENCH_DATABASE_URL", f"{SERVER}/suivi_reports_bench")


def recreate_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=5_000)
    parser.add_argument("--per-session", type=int, default=100)
    parser.add_argument("--distributions", type=int, default=100_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    recreate_database(URL)
    os.environ["SUIVI_DATABASE_URL"] = URL
    os.environ["SUIVI_DEBUG"] = "0"
    os.environ.setdefault("SUIVI_MEDIA_ROOT", "/tmp/suivi-reports-bench-media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
    import django

    django.setup()
    try:
        run(args)
    finally:
        if not args.keep:
            drop_database(URL)


def run(args) -> None:
    from decimal import Decimal

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from suivi.accounts.models import Organisation, OrganisationKind, Role, User
    from suivi.accounts.services import membership_grant
    from suivi.delivery.models import Attendance, Distribution, Session
    from suivi.places.models import Area
    from suivi.projects import services as projects
    from suivi.registry.models import Person, Registration
    from suivi.reports import services as reports

    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("places_load", verbosity=0)
    rng = random.Random(2026)
    agency = Organisation.objects.create(
        name="Agence", acronym="AG", kind=OrganisationKind.UN_AGENCY
    )
    me = User.objects.create_user("me@bench.test", "bench-Suivi-2026")
    membership_grant(user=me, organisation=agency, role=Role.ME_OFFICER, by=None)
    project = projects.project_create(
        organisation=agency,
        by=None,
        data={
            "code": "BENCH",
            "title_fr": "Projet à grande échelle",
            "title_en": "Project at scale",
            "start_date": datetime.date(2025, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
        },
    )
    outcome = projects.result_create(
        project=project, by=None, data={"level": "outcome", "code": "1", "title_fr": "Effet 1"}
    )
    outputs = [
        projects.result_create(
            project=project,
            by=None,
            data={
                "level": "output",
                "code": f"1.{n}",
                "title_fr": f"Produit 1.{n}",
                "parent": outcome,
            },
        )
        for n in range(1, 6)
    ]
    definitions = [
        ({"source": "attendance", "measure": "persons"}, ["sex", "age_band"], False),
        ({"source": "attendance", "measure": "rows"}, ["sex"], False),
        ({"source": "distribution", "measure": "persons"}, ["sex", "area"], True),
        ({"source": "distribution", "measure": "quantity"}, [], False),
        ({"source": "registration", "measure": "persons"}, ["sex", "population_group"], True),
        (None, [], False),
    ]
    periods = list(project.periods.all())
    quarters = sorted((p for p in periods if p.kind == "quarter"), key=lambda p: p.start)
    made = []
    for n in range(args.indicators):
        definition, dims, cumulative = definitions[n % len(definitions)]
        indicator = projects.indicator_create(
            project=project,
            by=None,
            data={
                "result": outputs[n % len(outputs)],
                "code": f"{outputs[n % len(outputs)].code}.{n + 1}",
                "name_fr": f"Indicateur {n + 1}",
                "method": "computed" if definition else "manual",
                "definition": definition or {},
                "disaggregations": dims,
                "cumulative": cumulative,
                "baseline": Decimal(rng.randint(0, 50)),
            },
        )
        made.append(indicator)
        for period in periods:
            projects.target_set(
                indicator=indicator, period=period, value=Decimal(rng.randint(50, 5000)), by=me
            )
        if definition is None:
            for period in quarters:
                projects.indicator_value_set(
                    indicator=indicator, period=period, value=Decimal(rng.randint(10, 4000)), by=me
                )
    print(f"project, {len(made)} indicators, targets: {time.perf_counter() - started:.0f} s")

    areas = list(Area.objects.filter(level=2).values_list("pk", flat=True))
    groups = ["refugee", "idp", "host", "returnee", "migrant"]
    span = (project.end_date - project.start_date).days
    today = datetime.date.today()
    days = min(span, (today - project.start_date).days)
    t = time.perf_counter()
    batch = 10_000
    for first in range(0, args.persons, batch):
        people = []
        for n in range(first, min(first + batch, args.persons)):
            person = Person(
                organisation=agency,
                family_name=f"Nom{n}",
                given_name=f"Prénom{n}",
                sex=rng.choice("FM"),
                birth_date=datetime.date(1960, 1, 1)
                + datetime.timedelta(days=rng.randint(0, 23000)),
                population_group=rng.choice(groups),
                area_id=rng.choice(areas),
            )
            person.fill_derived()
            people.append(person)
        Person.objects.bulk_create(people, batch_size=batch)
    person_ids = list(Person.objects.values_list("pk", flat=True))
    Registration.objects.bulk_create(
        [
            Registration(
                organisation=agency,
                person_id=pk,
                project=project,
                registered_on=project.start_date + datetime.timedelta(days=rng.randint(0, days)),
            )
            for pk in person_ids
        ],
        batch_size=batch,
    )
    Session.objects.bulk_create(
        [
            Session(
                organisation=agency,
                project=project,
                kind=rng.choice(["training", "awareness"]),
                title=f"Session {n}",
                date=project.start_date + datetime.timedelta(days=rng.randint(0, days)),
                area_id=rng.choice(areas),
            )
            for n in range(args.sessions)
        ],
        batch_size=batch,
    )
    session_ids = list(Session.objects.values_list("pk", flat=True))
    rows = []
    for sid in session_ids:
        for pk in rng.sample(person_ids, min(args.per_session, len(person_ids))):
            rows.append(Attendance(session_id=sid, person_id=pk))
        if len(rows) >= 50_000:
            Attendance.objects.bulk_create(rows, batch_size=batch)
            rows = []
    Attendance.objects.bulk_create(rows, batch_size=batch)
    Distribution.objects.bulk_create(
        [
            Distribution(
                organisation=agency,
                project=project,
                date=project.start_date + datetime.timedelta(days=rng.randint(0, days)),
                person_id=rng.choice(person_ids),
                kind="kit",
                item="Kit scolaire",
                quantity=Decimal(rng.randint(1, 3)),
                modality="in_kind",
            )
            for _n in range(args.distributions)
        ],
        batch_size=batch,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{args.persons} persons, {len(session_ids)} sessions, "
        f"{Attendance.objects.count()} attendance, {args.distributions} distributions: "
        f"{time.perf_counter() - t:.0f} s"
    )

    client = Client()
    client.force_login(me)
    url = reverse("reports:logframe_report", args=[project.pk])

    def page(label: str, kind: str = "quarter") -> None:
        t = time.perf_counter()
        response = client.get(f"{url}?kind={kind}")
        assert response.status_code == 200, response.status_code
        print(f"{label:<58} {(time.perf_counter() - t) * 1000:>8.0f}")

    print()
    print(f"{'what':<58} {'ms':>8}")
    page("logframe page (quarter, all open), first reading")
    page("logframe page (quarter, all open), figures kept")
    page("logframe page (year, all open), first reading", "year")
    current = next((q for q in quarters if q.start <= today <= q.end), quarters[-1])
    previous = quarters[quarters.index(current) - 1]
    # As in real use, the quarters before the previous one are computed, validated and locked.
    t = time.perf_counter()
    closed = [q for q in quarters if q.end < previous.start]
    for quarter in closed:
        reports.period_validate(period=quarter, by=me)
        projects.period_lock(period=quarter, by=me)
    print(
        f"{'(validating and locking ' + str(len(closed)) + ' quarters)':<58} "
        f"{(time.perf_counter() - t) * 1000:>8.0f}"
    )
    page("logframe page (quarter, past locked), first reading")
    page("logframe page (quarter, past locked), figures kept")
    from suivi.delivery.services import attendance_record

    session = Session.objects.filter(project=project, date__gte=previous.start).first()
    attendance_record(session=session, persons=[Person.objects.last()], by=me)
    page("logframe page, after one attendance is recorded")
    t = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("figures_warm", project=[project.code], stdout=quiet)
    print(f"{'figures_warm of the project':<58} {(time.perf_counter() - t) * 1000:>8.0f}")
    page("logframe page, after figures_warm")
    for quarter, note in ((previous, "open quarter"), (quarters[0], "locked quarter")):
        estimate = reports.donor_report_estimate(project=project, period=quarter)
        where = "request" if estimate < reports.INLINE_WORK else "worker"
        print(f"({note}: estimated work {estimate:,}, generated by the {where})")
        for fmt in ("docx", "pdf", "xlsx"):
            t = time.perf_counter()
            report = reports.donor_report_request(
                project=project, kind="quarterly", language="fr", format=fmt, by=me, quarter=quarter
            )
            if report.status == report.Status.WAITING:  # what the worker does, done here
                reports.donor_report_run(report=report)
            report.refresh_from_db()
            assert report.status == report.Status.READY, report.message
            elapsed = (time.perf_counter() - t) * 1000
            label = f"quarterly {fmt.upper()} ({note}, figures kept, {report.size // 1024} KB)"
            print(f"{label:<58} {elapsed:>8.0f}")
    settings.SUIVI_FIGURES_CACHE_SECONDS = 0
    t = time.perf_counter()
    report = reports.donor_report_request(
        project=project, kind="quarterly", language="fr", format="docx", by=me, quarter=previous
    )
    if report.status == report.Status.WAITING:
        reports.donor_report_run(report=report)
    label = "quarterly DOCX (open quarter, every figure computed)"
    print(f"{label:<58} {(time.perf_counter() - t) * 1000:>8.0f}")
    print()
    print(f"peak memory of the process: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
