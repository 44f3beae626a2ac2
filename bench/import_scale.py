"""The import pipeline at country scale: a partner's list of N rows, checked and committed.

Run from the repository root, for example:

    .venv/bin/python bench/import_scale.py --rows 100000                 # CSV on PostgreSQL
    .venv/bin/python bench/import_scale.py --rows 1000000
    .venv/bin/python bench/import_scale.py --rows 100000 --kind xlsx --db sqlite

The list is generated (seeded) in a child process: French headers, 15 columns, accents, phones
in local formats, dates in several formats, estimated ages, household codes and about 2% of bad
rows; the XLSX has a title block in merged cells and a TOTAL row. The run goes through the same
services as the pages and the ``work`` command (upload, map, check, commit) on a
throw-away database: SQLite in a temporary directory, or the PostgreSQL database of
``--pg-url`` (dropped and created again; default ``suivi_bulk_bench``). On PostgreSQL the same
rows are also loaded with a raw ``COPY`` into a table of the same shape, in the same run.

With ``--registry N`` the organisation's registry first holds N persons drawn from the same
generator (another seed; written with ``persons_register_bulk``), so that the duplicate step
matches the list against a registry of that size; one row in ten of the list is then a person
of the registry written again (accents dropped, upper case, a year of birth for the date, the
phone missing).

Printed: seconds per stage (read, normalise, check, commit), and within the check and the
commit the time of the duplicate step (matching the accepted rows against the registry and each
other; sending the pairs to the review queue) with the number of warnings and pairs; rows per
second end to end, peak memory of this process (the generator runs apart) and the ratio to the
COPY.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER = [
    "N°",
    "Nom",
    "Prénom(s)",
    "Sexe",
    "Date de naissance",
    "Âge",
    "Téléphone",
    "Région",
    "Cercle",
    "Statut",
    "Handicap",
    "N° proGres",
    "Code ménage",
    "Lien avec le chef de ménage",
    "Remarque",
]
FAMILY = [
    "Traoré", "Maïga", "Cissé", "Diarra", "Keïta", "Koné", "Sangaré", "Dembélé", "Coulibaly",
    "Touré", "Sidibé", "Diallo", "Ould Ahmed", "Mint Mohamed", "Ag Intallah", "Haïdara", "Dicko",
    "Sow", "Bâ", "Camara", "Doumbia", "Kanté", "Samaké", "Tounkara", "Guindo",
]  # fmt: skip
GIVEN_F = ["Aminata", "Fanta", "Aïssata", "Mariam", "Fatoumata", "Kadiatou", "Hawa", "Oumou",
           "Néné", "Salimata", "Aïcha", "Mariétou", "Khadija", "Zeïnabou"]  # fmt: skip
GIVEN_M = ["Oumar", "Moussa", "Ibrahim", "Seydou", "Mamadou", "Boubacar", "Aliou", "Hamidou",
           "Sékou", "Modibo", "Issa", "Abdoulaye", "Mohamed Lémine", "Élhadj"]  # fmt: skip
SEX = {"F": ["F", "F", "Femme", "f", "2"], "M": ["M", "H", "Homme", "m", "1"]}
STATUS = ["Réfugié", "Réfugiée", "PDI", "Déplacé interne", "Hôte", "Communauté hôte",
          "Rapatrié", "Retourné", "Migrant"]  # fmt: skip
LINKS = ["Chef de ménage", "Épouse", "Fils", "Fille", "Petit-fils", "Nièce", ""]


def _places(root: Path) -> list[tuple[str, str]]:
    """(region, cercle) pairs from the shipped P-code table, as partners write them."""
    rows = list(csv.DictReader((root / "suivi/places/data/areas.csv").open(encoding="utf-8")))
    regions = {r["pcode"]: r["name_fr"] for r in rows if r["level"] == "1"}
    pairs = []
    for r in rows:
        if r["level"] == "2" and r["parent_pcode"] in regions:
            pairs.append((regions[r["parent_pcode"]], r["name_fr"]))
    return pairs


def _row(rnd: random.Random, n: int, places, today: datetime.date) -> list:
    sex = rnd.choice("FM")
    region, cercle = rnd.choice(places)
    if rnd.random() < 0.2:
        region = region.upper()
    elif rnd.random() < 0.2:
        region = region.lower()
    year = rnd.randint(1950, today.year - 1)
    month, day = rnd.randint(1, 12), rnd.randint(1, 28)
    kind = rnd.random()
    birth: object = ""
    age: object = ""
    if kind < 0.4:
        birth = datetime.date(year, month, day)  # an Excel date in a workbook
    elif kind < 0.6:
        birth = f"{day:02d}/{month:02d}/{year}"
    elif kind < 0.7:
        birth = f"{year}-{month:02d}-{day:02d}"
    elif kind < 0.8:
        birth = f"vers {year}"
    elif kind < 0.9:
        birth = str(year)
    else:
        age = str(today.year - year) if rnd.random() < 0.5 else f"{today.year - year} ans"
    digits = f"{rnd.choice('679'):s}{rnd.randint(0, 9_999_999):07d}"
    phone_kind = rnd.random()
    if phone_kind < 0.3:
        phone = f"{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}"
    elif phone_kind < 0.5:
        phone = f"+223 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}"
    elif phone_kind < 0.7:
        phone = digits
    elif phone_kind < 0.8:
        phone = f"00223{digits}"
    else:
        phone = ""
    given = rnd.choice(GIVEN_F if sex == "F" else GIVEN_M)
    row = [
        n,
        rnd.choice(FAMILY),
        given if rnd.random() < 0.7 else f"{given} {rnd.choice(GIVEN_F + GIVEN_M)}",
        rnd.choice(SEX[sex]),
        birth,
        age,
        phone,
        region,
        cercle if rnd.random() < 0.8 else "",
        rnd.choice(STATUS),
        rnd.choice(["Oui", "Non", "Non", "Non", ""]),
        f"ML-26-{n:08d}" if rnd.random() < 0.3 else "",
        f"MEN-{n // 5:07d}",
        rnd.choice(LINKS),
        "",
    ]
    bad = rnd.random()
    if bad < 0.005:
        row[3] = "X"
    elif bad < 0.01:
        row[4] = f"{today.year + 3}-01-01"
    elif bad < 0.015:
        row[7] = "Atlantide"
    elif bad < 0.02:
        row[1] = ""
    return row


def registry_rows(count: int, seed: int) -> list[list]:
    """Persons already registered, drawn from the same generator as the list (bad rows left)."""
    rnd = random.Random(seed)
    today = datetime.date.today()
    places = _places(ROOT)
    return [_row(rnd, n, places, today) for n in range(1, count + 1)]


def _written_again(rnd: random.Random, row: list, n: int) -> list:
    """A person of the registry on the partner's list, as another partner writes them."""
    again = list(row)
    again[0] = n
    again[1] = _plain(again[1]).upper()
    again[2] = _plain(again[2])
    born = again[4]
    if isinstance(born, datetime.date):
        again[4] = f"vers {born.year}"
    elif isinstance(born, str) and born[-4:].isdigit():
        again[4] = born[-4:]
    if rnd.random() < 0.5:
        again[6] = ""
    again[11] = ""
    return again


def _plain(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def generate(path: Path, rows: int, kind: str, seed: int, registry: int = 0) -> None:
    rnd = random.Random(seed)
    today = datetime.date.today()
    places = _places(ROOT)
    known = registry_rows(registry, seed + 1) if registry else []

    def row_of(n: int) -> list:
        if known and n % 10 == 0:
            return _written_again(rnd, rnd.choice(known), n)
        return _row(rnd, n, places, today)

    if kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=";")
            writer.writerow(HEADER)
            for n in range(1, rows + 1):
                row = row_of(n)
                if isinstance(row[4], datetime.date):
                    row[4] = row[4].strftime("%d/%m/%Y")
                writer.writerow(row)
        return
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Bénéficiaires"
    ws["A1"] = "LISTE DES BÉNÉFICIAIRES – PARTENAIRE P"
    ws.merge_cells("A1:O1")
    ws["A2"] = "Projet PA-EDU – registre 2026"
    ws.merge_cells("A2:O2")
    ws.append([])
    ws.append(HEADER)
    for n in range(1, rows + 1):
        row = row_of(n)
        if n % 7 == 0:
            row[0] = str(n)  # numbers as text
        ws.append([None if v == "" else v for v in row])
        if n % 5000 == 0:
            ws.append([])  # blank rows between the pages of the paper list
    ws.append(["TOTAL", rows])
    ws.column_dimensions["O"].hidden = True
    wb.create_sheet("Notes")["A1"] = "Liste vérifiée par le chef de village"
    wb.save(path)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--kind", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/suivi_bulk_bench")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--registry", type=int, default=0, help="persons in the registry before the import"
    )
    parser.add_argument("--profile", help="write a cProfile of check and commit to this file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="suivi-import-bench-"))
    source = tmp / f"liste.{args.kind}"
    started = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(
        target=generate, args=(source, args.rows, args.kind, args.seed, args.registry)
    )
    child.start()
    child.join()
    print(
        f"generated {args.rows} rows ({args.kind}, {source.stat().st_size / 1e6:.1f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )

    if args.db == "pg":
        _recreate_pg(args.pg_url)
        os.environ["SUIVI_DATABASE_URL"] = args.pg_url
    else:
        os.environ["SUIVI_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["SUIVI_MEDIA_ROOT"] = str(tmp / "media")
    os.environ["SUIVI_MAX_UPLOAD_BYTES"] = str(2 * 1024**3)
    os.environ["SUIVI_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "suivi.settings")
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        call_command("places_load", verbosity=0, stdout=io.StringIO())
        run(args, source)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _recreate_pg(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    name = urlparse(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(args, source: Path) -> None:
    import cProfile

    from django.core.files import File
    from django.db import connection
    from django.utils import timezone

    from suivi.accounts.models import Organisation, OrganisationKind, Role, User
    from suivi.accounts.services import membership_grant
    from suivi.imports import services
    from suivi.imports.models import ImportBatch
    from suivi.projects import services as project_services
    from suivi.registry.models import Person, SpecificNeed

    agency = Organisation.objects.create(name="Agence A", kind=OrganisationKind.UN_AGENCY)
    partner = Organisation.objects.create(name="ONG P", kind=OrganisationKind.NATIONAL_NGO)
    user = User.objects.create_user("assistant@bench.test", "pass-Suivi-2026")
    membership_grant(user=user, organisation=agency, role=Role.PROJECT_ASSISTANT, by=None)
    project = project_services.project_create(
        organisation=agency,
        by=None,
        data={
            "code": "PA-BENCH",
            "title_fr": "Projet",
            "title_en": "Project",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2026, 12, 31),
        },
        partners=[partner],
    )
    SpecificNeed.objects.create(code="DS", name_fr="Handicap", name_en="Disability")
    stages: dict[str, float] = {}
    cpu: dict[str, float] = {}  # seconds of CPU of this process: steadier on a busy machine
    profile = cProfile.Profile() if args.profile else None
    if args.registry:
        t0 = time.perf_counter()
        fill_registry(agency, args.registry, args.seed + 1)
        if connection.vendor == "postgresql":
            # What autovacuum does within a minute of such a load: without statistics the
            # planner scans the whole table for each candidate query.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE registry_person")
        print(f"registry: {args.registry} persons written in {time.perf_counter() - t0:.1f} s")
    registry_before = Person.objects.count()
    # The duplicate step runs inside the check and the commit: its time is taken apart.
    for name, function in (
        ("  of which duplicates", "_find_duplicates"),
        ("  of which queue pairs", "_queue_duplicates"),
    ):
        stages[name] = cpu[name] = 0.0
        setattr(services, function, _timed(getattr(services, function), name, stages, cpu))

    t0, c0 = time.perf_counter(), time.process_time()
    with source.open("rb") as f:
        batch = services.batch_upload(
            by=user,
            project=project,
            partner=partner,
            upload=File(f, name=source.name),
            registered_on=timezone.localdate(),
        )
    services.batch_map(batch=batch, mapping=batch.mapping_by_index, by=user)
    stages["upload and map"] = time.perf_counter() - t0
    cpu["upload and map"] = time.process_time() - c0

    # Read alone, then read and normalise, to split the check into its parts.
    with services.local_file(batch) as path:
        t0, c0 = time.perf_counter(), time.process_time()
        table = services.open_batch_table(batch, path)
        for _row in table.rows():
            pass
        stages["read (alone)"] = time.perf_counter() - t0
        cpu["read (alone)"] = time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        table = services.open_batch_table(batch, path)
        reader = services._row_reader(batch, table.header)
        for _number, cells in table.rows():
            reader.read(cells)
        stages["read + normalise (alone)"] = time.perf_counter() - t0
        cpu["read + normalise (alone)"] = time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    batch.status = ImportBatch.Status.VALIDATING
    batch.save(update_fields=["status"])
    if profile:
        profile.enable()
    services.batch_run(batch=batch)  # what the worker does
    if profile:
        profile.disable()
    batch.refresh_from_db()
    stages["check (service)"] = time.perf_counter() - t0
    cpu["check (service)"] = time.process_time() - c0
    _after(stages, cpu, "check (service)", "  of which duplicates")
    assert batch.status == ImportBatch.Status.VALIDATED, batch.message

    t0, c0 = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    services.batch_request_commit(batch=batch, by=user)  # commits within it when small
    services.batch_run(batch=batch)
    if profile:
        profile.disable()
    batch.refresh_from_db()
    stages["commit (service)"] = time.perf_counter() - t0
    cpu["commit (service)"] = time.process_time() - c0
    _after(stages, cpu, "commit (service)", "  of which queue pairs")
    assert batch.status == ImportBatch.Status.COMMITTED, batch.message
    assert Person.objects.count() - registry_before == batch.created_rows == batch.accepted_rows
    if profile:
        profile.dump_stats(args.profile)

    end_to_end = stages["upload and map"] + stages["check (service)"] + stages["commit (service)"]
    print(f"database: {connection.vendor}, file: {args.kind}, rows: {batch.total_rows}")
    print(
        f"accepted {batch.accepted_rows}, rejected {batch.rejected_rows}, "
        f"ignored {len(batch.ignored)}, persons created {batch.created_rows}"
    )
    print(
        f"possible duplicates: {batch.registered_like_rows} rows like registered persons, "
        f"{batch.repeated_rows} rows repeated, {batch.row_matches.count()} warnings; "
        f"{batch.queued_pairs} pairs sent to the queue (registry before: {registry_before})"
    )
    print(f"  {'stage':<28} {'wall':>8}   {'CPU (this process)':>18}")
    for name, seconds in stages.items():
        print(f"  {name:<28} {seconds:8.1f} s {cpu[name]:8.1f} s")
    print(f"end to end (upload, check, commit): {end_to_end:.1f} s")
    duplicates = stages["  of which duplicates"] + stages["  of which queue pairs"]
    print(f"duplicate step: {duplicates:.1f} s, {100 * duplicates / end_to_end:.0f}% of end to end")
    print(f"rows per second end to end: {batch.total_rows / end_to_end:,.0f}")
    print(f"peak memory (RSS of this process): {peak_mb():.0f} MB")

    if connection.vendor == "postgresql" and args.kind == "csv":
        copy_seconds = raw_copy(connection, source)
        print(f"raw COPY of the same rows: {copy_seconds:.1f} s")
        print(f"ratio end to end / COPY: {end_to_end / copy_seconds:.1f}x")
        print(f"ratio commit alone / COPY: {stages['commit (service)'] / copy_seconds:.1f}x")
        stored = stored_again(connection, batch)
        print(
            "raw COPY of the same persons, registrations, identifiers and import keys into the "
            f"registry's tables (indexes, foreign keys checked): {stored:.1f} s"
        )
        print(f"ratio end to end / COPY into the registry's tables: {end_to_end / stored:.1f}x")


def _timed(function, name: str, stages: dict, cpu: dict):
    def timed(*args, **kwargs):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            stages[name] += time.perf_counter() - t0
            cpu[name] += time.process_time() - c0

    return timed


def _after(stages: dict, cpu: dict, stage: str, part: str) -> None:
    """Print the part under its stage: move it after the stage in the (ordered) tables."""
    for table in (stages, cpu):
        table[part] = table.pop(part)


def fill_registry(organisation, count: int, seed: int) -> None:
    """``count`` persons in the registry, from the generator, through ``persons_register_bulk``."""
    from suivi.imports.normalise import CellError, parse_phone, parse_sex
    from suivi.places.models import Area
    from suivi.registry import services as registry

    today = datetime.date.today()
    cercles = {
        (a.parent.name_fr, a.name_fr): a
        for a in Area.objects.filter(level=2).select_related("parent")
    }

    def rows():
        for row in registry_rows(count, seed):
            born = row[4]
            if not isinstance(born, datetime.date):
                year = next(
                    (int(p) for p in str(born).split() if p.isdigit() and len(p) == 4), None
                )
                born = datetime.date(year, 7, 1) if year else today.replace(year=today.year - 20)
            try:
                sex = parse_sex(row[3])
            except CellError:
                sex = "F"
            try:
                phone = parse_phone(row[6], "ML") if row[6] else ""
            except CellError:
                phone = ""
            yield registry.PersonRow(
                data={
                    "family_name": row[1] or "Traoré",
                    "given_name": row[2],
                    "sex": sex,
                    "birth_date": min(born, today),
                    "birth_date_estimated": not isinstance(row[4], datetime.date),
                    "population_group": "refugee",
                    "phone": phone,
                    "area": cercles.get((row[7].title(), row[8])),
                }
            )

    registry.persons_register_bulk(organisation=organisation, by=None, rows=rows())


def raw_copy(connection, source: Path) -> float:
    """Seconds of a COPY of the CSV file into a table of 15 text columns (indexes none)."""
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_rows")
        cursor.execute(f"CREATE TABLE bench_copy_rows ({columns})")
    connection.commit() if not connection.get_autocommit() else None
    raw = connection.connection
    t0 = time.perf_counter()
    with raw.cursor() as cursor:
        sql = "COPY bench_copy_rows FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ';')"
        with cursor.copy(sql) as copy, source.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
    seconds = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy_rows")
    return seconds


def stored_again(connection, batch) -> float:
    """Seconds of a raw COPY of the import's rows (persons, registrations, identifiers, import
    keys) once more into the registry's own tables, with their indexes and foreign-key checks
    (run at each statement's end), in a transaction rolled back: the floor under any import
    into this schema."""
    raw = connection.connection
    org = batch.organisation_id

    def columns(table: str) -> list[str]:
        with raw.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "ORDER BY ordinal_position",
                [table],
            )
            return [name for (name,) in cursor.fetchall()]

    def copied(table: str, shifted: dict[str, str], where: str) -> tuple[str, list[str], str]:
        names = columns(table)
        values = [shifted.get(name, name) for name in names]
        return table, names, f"SELECT {', '.join(values)} FROM {table} WHERE {where}"

    with raw.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM registry_person")
        offset = cursor.fetchone()[0]
    person = f"person_id + {offset}"
    statements = [
        copied("registry_person", {"id": f"id + {offset}"}, f"organisation_id = {org}"),
        copied(
            "registry_registration",
            {"id": f"id + {offset}", "person_id": person},
            f"organisation_id = {org}",
        ),
        copied(
            "registry_externalid",
            {"id": f"id + {offset}", "person_id": person, "value": "value || '-2'"},
            f"person_id <= {offset}",
        ),
        copied(
            "imports_importedrow",
            {"id": f"id + {offset}", "person_id": person, "sheet": "'again'"},
            f"batch_id = {batch.pk}",
        ),
    ]
    seconds = 0.0
    with raw.transaction(force_rollback=True), raw.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, names, select in statements:
            # The rows as COPY text, read first; only the COPY into the table is timed.
            with cursor.copy(f"COPY ({select}) TO STDOUT") as source:
                data = [bytes(chunk) for chunk in source]
            t0 = time.perf_counter()
            with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as target:
                for chunk in data:
                    target.write(chunk)
            seconds += time.perf_counter() - t0
            del data
    return seconds


if __name__ == "__main__":
    main()
