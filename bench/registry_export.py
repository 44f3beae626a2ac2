"""Streaming the registry export: time and peak memory for a large number of persons.

Run from the repository root, with a PostgreSQL database made for it (dropped afterwards):

    createdb -h 127.0.0.1 -U postgres suivi_exports_bench
    SUIVI_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/suivi_exports_bench \\
        .venv/bin/python bench/registry_export.py --persons 1000000
    dropdb -h 127.0.0.1 -U postgres suivi_exports_bench

It loads the persons (registered in one project by two partners, placed in admin 2 areas, one
in three with a proGres number) with INSERT ... SELECT (PostgreSQL), then downloads the CSV
export (and the XLSX one with --xlsx) as the programme manager through the real view, reading
the stream chunk by chunk.
Printed: rows, seconds to the first byte and in all, rows per second, bytes, and the peak
resident memory of the process before and after the download.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
url = os.environ.get("SUIVI_BENCH_DATABASE_URL")
if not url:
    sys.exit("Set SUIVI_BENCH_DATABASE_URL to a dedicated PostgreSQL database.")
os.environ["SUIVI_DATABASE_URL"] = url
os.environ["SUIVI_DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from suivi.accounts.models import Organisation, OrganisationKind, Role, User  # noqa: E402
from suivi.accounts.services import membership_grant  # noqa: E402
from suivi.places.models import Area  # noqa: E402
from suivi.projects import services as project_services  # noqa: E402
from suivi.registry.models import Person  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(count: int) -> User:
    agency = Organisation.objects.create(name="Agence banc", kind=OrganisationKind.UN_AGENCY)
    partners = [
        Organisation.objects.create(name=f"Partenaire {n}", kind=OrganisationKind.NATIONAL_NGO)
        for n in (1, 2)
    ]
    project = project_services.project_create(
        organisation=agency,
        by=None,
        data={
            "code": "BANC",
            "title_fr": "Banc d'essai",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2026, 12, 31),
        },
        partners=partners,
    )
    country = Area.objects.create(pcode="ML", country="ML", level=0, name_fr="Mali", name_en="Mali")
    gao = Area.objects.create(
        pcode="ML07", country="ML", level=1, parent=country, name_fr="Gao", name_en="Gao"
    )
    areas = [
        Area.objects.create(
            pcode=f"ML07{n:02d}", country="ML", level=2, parent=gao, name_fr=f"Cercle {n}",
            name_en=f"Cercle {n}",
        )
        for n in range(1, 5)
    ]  # fmt: skip
    manager = User.objects.create_user("manager@banc.test", "x")
    membership_grant(user=manager, organisation=agency, role=Role.PROGRAMME_MANAGER, by=None)
    # One INSERT ... SELECT per table: the load takes seconds, not the export's time.
    area_ids = "ARRAY[" + ",".join(str(a.pk) for a in areas) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO registry_person (created_at, updated_at, family_name, given_name, sex,
                birth_date, birth_date_estimated, population_group, wg_seeing, wg_hearing,
                wg_walking, wg_cognition, wg_self_care, wg_communication, has_disability, phone,
                relationship_to_head, consent_scope, area_id, organisation_id)
            SELECT now(), now(),
                (ARRAY['Maïga','Touré','Cissé','Traoré','Diallo','Ould Ahmed','=Coulibaly'])
                    [1 + g %% 7],
                (ARRAY['Awa','Moussa','Fatoumata','Ibrahim'])[1 + g %% 4],
                CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                DATE '1950-01-01' + (g * 37) %% 27000, false,
                (ARRAY['refugee','idp','host'])[1 + g %% 3],
                '', '', '', '', '', '', g %% 11 = 0, '', '', '',
                ({area_ids})[1 + g %% 4], %s
            FROM generate_series(1, %s) AS g
            """,
            [agency.pk, count],
        )
        cursor.execute(
            """
            INSERT INTO registry_registration (created_at, updated_at, registered_on, status,
                organisation_id, partner_id, person_id, project_id)
            SELECT now(), now(), DATE '2026-01-10', 'active', %s,
                CASE WHEN id %% 2 = 0 THEN %s ELSE %s END, id, %s
            FROM registry_person WHERE organisation_id = %s
            """,
            [agency.pk, partners[0].pk, partners[1].pk, project.pk, agency.pk],
        )
        cursor.execute(
            """
            INSERT INTO registry_externalid (person_id, scheme, value)
            SELECT id, 'progres', 'MLI-' || lpad(id::text, 9, '0')
            FROM registry_person WHERE organisation_id = %s AND id %% 3 = 0
            """,
            [agency.pk],
        )
        cursor.execute("ANALYZE")
    return manager


def download(client: Client, fmt: str) -> None:
    before = peak_mb()
    start = time.perf_counter()
    response = client.get(reverse("registry:person_export"), {"format": fmt})
    first = None
    size = 0
    lines = 0
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - start
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - start
    rows = lines - 2 if fmt == "csv" else Person.objects.count()
    print(
        f"{fmt}: {rows} rows, first byte {first:.2f} s, total {total:.1f} s, "
        f"{rows / total:,.0f} rows/s, {size / 1e6:.1f} MB, "
        f"peak RSS {before:.0f} MB before, {peak_mb():.0f} MB after"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--xlsx", action="store_true", help="also time the XLSX export")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    manager = load(args.persons)
    print(f"loaded {args.persons} persons in {time.perf_counter() - started:.0f} s")
    client = Client()
    client.force_login(manager)
    download(client, "csv")
    if args.xlsx:
        download(client, "xlsx")


if __name__ == "__main__":
    main()
