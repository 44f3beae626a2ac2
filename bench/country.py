"""A country operation on PostgreSQL, generated in SQL: persons, projects, sessions, attendance,
distributions and computed indicators, at any scale.

    scale 1.0 = 1,000,000 persons, 50,000 sessions, 7,000,000 attendance rows, 3,000,000
    distributions, 200 projects with 15 computed indicators each (3,000), quarters of 2026.

Rows are written with ``INSERT ... SELECT generate_series`` (seconds per million rows), every
column the generator does not set taking the model field's default, so the generator follows
the models as they change. Used by bench/indicators_scale.py; import ``build`` to reuse it.
"""

from __future__ import annotations

import datetime
import time

from django.db import connection, models

ATTENDEES_PER_SESSION = 140
INDICATORS = [
    # (code suffix, definition, disaggregations)
    ("1", {"source": "attendance", "measure": "persons"}, "all"),
    ("2", {"source": "attendance", "measure": "persons", "session_kinds": ["training"]}, "all"),
    (
        "3",
        {
            "source": "attendance",
            "measure": "persons",
            "session_kinds": ["training"],
            "min_count": 2,
        },
        "all",
    ),
    ("4", {"source": "attendance", "measure": "rows"}, "all"),
    ("5", {"source": "attendance", "measure": "persons", "person": {"sex": "F"}}, "all"),
    (
        "6",
        {"source": "attendance", "measure": "persons", "person": {"age_min": 15, "age_max": 24}},
        "all",
    ),
    ("7", {"source": "distribution", "measure": "persons"}, "all"),
    ("8", {"source": "distribution", "measure": "persons", "distribution_kinds": ["kit"]}, "all"),
    ("9", {"source": "distribution", "measure": "value", "distribution_kinds": ["cash"]}, "all"),
    ("10", {"source": "distribution", "measure": "quantity"}, "all"),
    ("11", {"source": "distribution", "measure": "rows"}, "all"),
    ("12", {"source": "registration", "measure": "persons"}, "all"),
    ("13", {"source": "attendance", "measure": "persons", "cumulative": True}, "all"),
    ("14", {"source": "attendance", "measure": "persons", "person": {"disability": True}}, "all"),
    ("15", {"source": "ratio", "numerator": "1.1.5", "denominator": "1.1.1", "scale": 100}, "all"),
]


def _literal_defaults(model, given: set[str]) -> tuple[list[str], list]:
    """Columns of ``model`` not in ``given`` (and not the key), with their Python defaults."""
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            default = datetime.datetime.now(datetime.UTC)
        elif field.has_default():
            default = field.get_default()
        elif field.null:
            default = None
        elif isinstance(field, models.CharField | models.TextField):
            default = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value from the generator")
        columns.append(field.column)
        values.append(field.get_db_prep_save(default, connection))
    return columns, values


def insert_select(model, exprs: dict[str, str], source: str) -> int:
    """INSERT INTO model's table the rows of ``SELECT exprs FROM source``."""
    columns, defaults = _literal_defaults(model, set(exprs))
    names = [*exprs, *columns]
    # Expressions use % as SQL's modulo; the defaults are the only parameters.
    select = [e.replace("%", "%%") for e in exprs.values()] + ["%s"] * len(defaults)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) "
        f"SELECT {', '.join(select)} FROM {source.replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, defaults)
        return cursor.rowcount


def build(scale: float = 1.0, say=print) -> dict:
    """Generate the country operation; returns the figures of what was made."""
    from suivi.accounts.models import Organisation, OrganisationKind
    from suivi.delivery.models import Attendance, Distribution, Session
    from suivi.places.models import Area
    from suivi.projects import services as project_services
    from suivi.projects.models import Indicator, Project
    from suivi.registry.models import Person, Registration

    n_projects = max(2, round(200 * scale))
    n_persons = max(n_projects * ATTENDEES_PER_SESSION * 2, round(1_000_000 * scale))
    n_sessions = max(n_projects * 10, round(50_000 * scale))
    n_distributions = round(3_000_000 * scale)
    started = time.perf_counter()

    lead = Organisation.objects.create(name="Agence pays", kind=OrganisationKind.UN_AGENCY)
    partners = [
        Organisation.objects.create(name=f"ONG {i}", kind=OrganisationKind.NATIONAL_NGO)
        for i in range(1, 21)
    ]
    admin2 = list(Area.objects.filter(level=2).values_list("pk", flat=True))
    if not admin2:
        raise SystemExit("Load the places first (manage.py places_load).")
    projects = []
    for i in range(n_projects):
        project = project_services.project_create(
            organisation=lead,
            by=None,
            data={
                "code": f"P{i:03d}",
                "title_fr": f"Projet {i}",
                "title_en": f"Project {i}",
                "start_date": datetime.date(2025, 1, 1),
                "end_date": datetime.date(2027, 12, 31),
            },
            partners=partners[i % 20 : i % 20 + 3],
        )
        projects.append(project)
    first_project = projects[0].pk
    first_partner = partners[0].pk
    say(f"  {n_projects} projects")

    with connection.cursor() as cursor:
        # Generated rows are consistent by construction: skip the per-row foreign key triggers.
        cursor.execute("SET session_replication_role = replica")
    n_areas = len(admin2)
    areas = "{" + ",".join(map(str, admin2)) + "}"

    # Persons: person k belongs to project k % n_projects; ages 0 to 79 on 2026-06-30.
    t = time.perf_counter()
    insert_select(
        Person,
        {
            "organisation_id": str(lead.pk),
            "family_name": "(array['Traoré','Coulibaly','Diallo','Keïta','Maïga','Touré','Cissé',"
            "'Sidibé','Ould Ahmed','Mint Salem'])[1 + g % 10]",
            "given_name": "(array['Aminata','Mamadou','Fatoumata','Moussa','Awa','Oumar',"
            "'Mariam','Ibrahim'])[1 + (g / 10) % 8] || ' ' || g",
            "sex": f"CASE WHEN (g / {n_projects}) % 2 = 0 THEN 'F' ELSE 'M' END",
            "birth_date": "date '2026-06-30' - ((g::bigint * 7919) % 29200) * interval '1 day'",
            "population_group": "(array['refugee','idp','host','returnee','migrant'])"
            f"[1 + (g / {n_projects}) % 5]",
            "has_disability": f"((g / {n_projects}) % 17 = 0)",
            "area_id": f"('{areas}'::int[])[1 + g % {n_areas}]",
        },
        f"generate_series(0, {n_persons - 1}) g",
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id) FROM {Person._meta.db_table}")
        first_person = cursor.fetchone()[0]
    say(f"  {n_persons:,} persons in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    insert_select(
        Registration,
        {
            "organisation_id": str(lead.pk),
            "person_id": f"{first_person} + g",
            "project_id": f"{first_project} + g % {n_projects}",
            "partner_id": f"{first_partner} + g % 20",
            "registered_on": "date '2025-01-01' + (g % 700) * interval '1 day'",
            "status": "'active'",
        },
        f"generate_series(0, {n_persons - 1}) g",
    )
    say(f"  {n_persons:,} registrations in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    insert_select(
        Session,
        {
            "organisation_id": str(lead.pk),
            "project_id": f"{first_project} + g % {n_projects}",
            "partner_id": f"{first_partner} + g % 20",
            "kind": "(array['training','awareness','home_visit','capacity_building'])"
            f"[1 + (g / {n_projects}) % 4]",
            "title": "'Séance ' || g",
            "date": "date '2026-01-01' + (g % 360) * interval '1 day'",
            "area_id": f"('{areas}'::int[])[1 + g % {n_areas}]",
        },
        f"generate_series(0, {n_sessions - 1}) g",
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id) FROM {Session._meta.db_table}")
        first_session = cursor.fetchone()[0]
    say(f"  {n_sessions:,} sessions in {time.perf_counter() - t:.1f} s")

    # Attendee j of session s (project p = s % n_projects) is the project's person number
    # (s * 31 + j) % per_project: distinct within a session, spread across sessions.
    t = time.perf_counter()
    per_project = n_persons // n_projects
    n_attendance = n_sessions * ATTENDEES_PER_SESSION
    insert_select(
        Attendance,
        {
            "session_id": f"{first_session} + s",
            "person_id": f"{first_person} + s % {n_projects} + "
            f"(((s * 31 + j) % {per_project}) * {n_projects})",
        },
        # Session after session, as attendance is recorded (one list per session): LATERAL
        # keeps the sessions outside, so that a session's rows lie together on disk.
        f"generate_series(0, {n_sessions - 1}) s, "
        f"LATERAL generate_series(0, {ATTENDEES_PER_SESSION - 1}) j",
    )
    say(f"  {n_attendance:,} attendance rows in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    insert_select(
        Distribution,
        {
            "organisation_id": str(lead.pk),
            "project_id": f"{first_project} + g % {n_projects}",
            "partner_id": f"{first_partner} + g % 20",
            "date": "date '2026-01-01' + (g % 360) * interval '1 day'",
            "person_id": f"{first_person} + g % {n_projects} + "
            f"(((g / {n_projects}) * 13) % {per_project}) * {n_projects}",
            "kind": f"(array['kit','food','cash','scholarship'])[1 + (g / {n_projects}) % 4]",
            "item": "(array['Kit scolaire','Vivres','Transfert monétaire','Bourse'])"
            f"[1 + (g / {n_projects}) % 4]",
            "quantity": "1 + g % 3",
            "value": f"CASE WHEN (g / {n_projects}) % 4 = 2 THEN 25000 ELSE NULL END",
            "currency": f"CASE WHEN (g / {n_projects}) % 4 = 2 THEN 'XOF' ELSE '' END",
            "modality": f"CASE WHEN (g / {n_projects}) % 4 = 2 THEN 'cash' ELSE 'in_kind' END",
        },
        f"generate_series(0, {n_distributions - 1}) g",
    )
    say(f"  {n_distributions:,} distributions in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    for project in projects:
        result = project_services.result_create(
            project=project,
            by=None,
            data={"level": "output", "code": "1.1", "title_fr": "Produit", "title_en": "Output"},
        )
        for suffix, definition, _dims in INDICATORS:
            definition = dict(definition)
            cumulative = definition.pop("cumulative", False)
            Indicator.objects.create(
                organisation=lead,
                project=project,
                result=result,
                code=f"1.1.{suffix}",
                name_fr=f"Indicateur 1.1.{suffix}",
                method=Indicator.Method.COMPUTED,
                definition=definition,
                disaggregations=["sex", "age_band", "population_group", "disability", "area"],
                cumulative=cumulative,
            )
    say(f"  {len(projects) * len(INDICATORS):,} indicators in {time.perf_counter() - t:.1f} s")

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        # What autovacuum does on a server after such loads: statistics and the visibility
        # map (which lets index-only scans skip the table).
        cursor.execute("VACUUM ANALYZE")
    return {
        "projects": Project.objects.filter(organisation=lead).order_by("pk"),
        "persons": n_persons,
        "attendance": n_attendance,
        "distributions": n_distributions,
        "seconds": time.perf_counter() - started,
    }
