"""Eligibility compliance report over 100,000 registrations on PostgreSQL: seconds and peak memory.

Run from the repository root:

    .venv/bin/python bench/eligibility.py [--rows 100000] [--keep]

It creates the database named by SUIVI_BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/suivi_elig_bench), fills it with one project, its
registrations and a rule set of seven criteria, times each step, then drops the database
(unless --keep). Peak memory is Python's own allocations (tracemalloc), measured in a second
run of each step so that the timings are not slowed by it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get(
    "SUIVI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suivi_elig_bench"
)
os.environ["SUIVI_DATABASE_URL"] = URL
os.environ["SUIVI_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")


def _admin_connection():
    import psycopg

    parsed = urlparse(URL)
    return psycopg.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    ), parsed.path.lstrip("/")


def create_database() -> None:
    connection, name = _admin_connection()
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    connection, name = _admin_connection()
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def build(rows: int):
    """One project, ``rows`` registrations of persons in households, and its rules."""
    from suivi.accounts.models import Organisation, OrganisationKind, User
    from suivi.places.models import Area
    from suivi.projects import services as project_services
    from suivi.registry import services
    from suivi.registry.models import Household, Person, Registration, SpecificNeed

    rng = random.Random(7)
    lead = Organisation.objects.create(name="Agence", kind=OrganisationKind.UN_AGENCY, country="ML")
    partners = [
        Organisation.objects.create(
            name=f"Partenaire {i}", kind=OrganisationKind.NATIONAL_NGO, country="ML"
        )
        for i in range(5)
    ]
    project = project_services.project_create(
        organisation=lead,
        by=None,
        data={
            "code": "BENCH",
            "title_fr": "Projet",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2026, 12, 31),
        },
        partners=partners,
    )
    country = Area.objects.create(pcode="ML", country="ML", level=0, name_fr="Mali", name_en="Mali")
    regions = [
        Area.objects.create(
            pcode=f"ML0{i}", country="ML", level=1, parent=country, name_fr=f"R{i}", name_en=f"R{i}"
        )
        for i in range(1, 6)
    ]
    cercles = [
        Area.objects.create(
            pcode=f"{r.pcode}0{j}", country="ML", level=2, parent=r, name_fr="C", name_en="C"
        )
        for r in regions
        for j in range(1, 4)
    ]
    needs = [
        SpecificNeed.objects.create(code=code, name_fr=code, name_en=code)
        for code in ("CR", "DS", "SM", "WR")
    ]
    households = Household.objects.bulk_create(
        [Household(organisation=lead, code=f"MEN-{i:06d}") for i in range(rows // 4)],
        batch_size=5000,
    )
    persons = []
    for i in range(rows):
        person = Person(
            organisation=lead,
            family_name=f"Nom{i}",
            given_name="Prénom",
            sex=rng.choice("FM"),
            birth_date=None
            if rng.random() < 0.03
            else datetime.date(2026, 1, 1) - datetime.timedelta(days=rng.randint(0, 70 * 365)),
            population_group=rng.choices(
                ["refugee", "idp", "host", "returnee", "migrant"], weights=[40, 30, 15, 10, 5]
            )[0],
            area=rng.choice(cercles) if rng.random() > 0.02 else None,
            household=rng.choice(households) if rng.random() < 0.8 else None,
            wg_walking=rng.choices(["", "none", "some", "a_lot"], weights=[3, 85, 8, 4])[0],
        )
        person.fill_derived()
        persons.append(person)
    Person.objects.bulk_create(persons, batch_size=5000)
    through = Person.specific_needs.through
    through.objects.bulk_create(
        [
            through(person_id=p.pk, specificneed_id=rng.choice(needs).pk)
            for p in persons
            if rng.random() < 0.05
        ],
        batch_size=5000,
    )
    Registration.objects.bulk_create(
        [
            Registration(
                organisation=lead,
                person=p,
                project=project,
                partner=rng.choice(partners),
                registered_on=datetime.date(2026, 1, 1)
                + datetime.timedelta(days=rng.randint(0, 300)),
            )
            for p in persons
        ],
        batch_size=5000,
    )
    rule_set = services.eligibility_rule_set_create(
        project=project, by=None, data={"name": "Règles"}
    )
    for field, operator, value in [
        ("age", "between", [0, 65]),
        ("population_group", "in", ["refugee", "idp", "host", "returnee"]),
        ("area", "in", ["ML01", "ML02", "ML03", "ML04", "ML0501", "ML0502"]),
        ("specific_needs", "none", ["SM"]),
        ("household_size", "at_most", 8),
        ("has_disability", "is", False),
        ("sex", "in", ["F", "M"]),
    ]:
        # Added straight to the database: the refresh after each criterion is timed below.
        rule_set.criteria.create(field=field, operator=operator, value=value)
    admin = User.objects.create_superuser("bench@suivi.test", "bench-password")
    return project, admin, persons[0]


def measure(label: str, step) -> None:
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    step()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    extra = f"  ({result})" if result is not None else ""
    print(f"{label:<46} {seconds:>8.2f} s {peak / 1e6:>9.1f} MB{extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    create_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from suivi.registry import eligibility, services
    from suivi.registry.models import Registration

    settings.ALLOWED_HOSTS = ["*"]
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        project, admin, person = build(args.rows)
        print(f"{args.rows} registrations built in {time.perf_counter() - started:.1f} s")
        print(f"{'step':<46} {'time':>10} {'peak':>12}")
        rule_sets = eligibility.registration_rule_sets(project)
        registrations = Registration.objects.filter(project=project)

        def counts():
            report = eligibility.compliance(registrations, rule_sets)
            return f"{report.not_passing_count} not passing"

        measure("counts per criterion + not passing count", counts)
        client = Client()
        client.force_login(admin)
        url = reverse("registry:compliance_report", args=[project.pk])
        measure("report page (first page of 50)", lambda: client.get(url).status_code)
        measure(
            "report page filtered by a partner",
            lambda: client.get(url, {"partner": project.partners.first().pk}).status_code,
        )

        def download():
            response = client.get(url, {"format": "xlsx"})
            return f"{len(response.content) / 1e6:.1f} MB file"

        measure("Excel download of the whole report", download)
        measure(
            "stored outcome refresh of every registration",
            lambda: f"{services.project_eligibility_refresh(project=project, by=None)} changed",
        )
        measure(
            "one person evaluated (Python, with reasons)",
            lambda: (
                eligibility.evaluate_for_project(person, project, on=datetime.date(2026, 6, 1))[
                    0
                ].status
            ),
        )
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
