"""The demo load: accounts that log in, real figures, a locked first quarter, scopes, idempotence.

The small demo is loaded once for the class below, inside a transaction rolled back at its end,
so that the rest of the suite never sees it.
"""

from __future__ import annotations

import io
import re
import tempfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from suivi.accounts.models import Organisation, User
from suivi.audit.models import AuditEvent
from suivi.delivery import services as delivery_services
from suivi.delivery.models import Attendance, Distribution, ReachCount, Session
from suivi.lib.phones import normalise_phone
from suivi.partners.models import Agreement, PartnerReport
from suivi.projects.models import Indicator, IndicatorValue, PlannedActivity, Project, Target
from suivi.registry.models import ExternalId, Group, Household, Person, Registration
from suivi.reports import demo

LOGIN = reverse("accounts:login")
CODES = {spec["key"]: spec["code"] for spec in demo.PROJECTS}


def _load() -> str:
    """Load the small demo; the partners' report files it writes go to a folder of its own."""
    out = io.StringIO()
    with translation.override("en"), override_settings(MEDIA_ROOT=tempfile.mkdtemp()):
        call_command("demo_load", "--size", "small", stdout=out)
    return out.getvalue()


def _log_in(client, email: str):
    response = client.post(LOGIN, {"username": email, "password": demo.PASSWORD})
    assert response.status_code == 302, f"{email} could not log in"
    assert response["Location"] == reverse("home")
    return client


def _references(client) -> set[str]:
    """Every person reference the list pages show, page after page."""
    seen: set[str] = set()
    page = 1
    while True:
        response = client.get(reverse("registry:person_list"), {"page": page})
        assert response.status_code == 200
        seen |= set(re.findall(r"P-\d{7}", response.content.decode()))
        if f"page={page + 1}" not in response.content.decode():
            return seen
        page += 1


def _counts() -> dict[str, int]:
    models = [
        Organisation, User, Project, Indicator, Target, IndicatorValue, PlannedActivity, Person,
        ExternalId, Registration, Household, Group, Session, Attendance, ReachCount,
        Distribution, AuditEvent,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """The small demo, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = _load()
        yield output
        transaction.set_rollback(True)


@pytest.mark.usefixtures("loaded")
class TestLoadedDemo:
    @pytest.mark.parametrize("email", demo.DEMO_EMAILS)
    def test_every_demo_account_logs_in_and_sees_its_projects(self, db, client, email):
        client = _log_in(client, email)
        page = client.get(reverse("home"))

        assert page.status_code == 200
        shown = {code for code in CODES.values() if code in page.content.decode()}
        expected = {
            "donor@suivi.demo": {CODES["edu"]},
            "partner@suivi.demo": {CODES["edu"], CODES["women"]},
        }.get(email, set(CODES.values()))
        assert shown == expected

    def test_administrator_reaches_the_reference_data_in_the_admin_site(self, db, client):
        client = _log_in(client, "admin@suivi.demo")
        assert client.get(reverse("admin:index")).status_code == 200
        assert client.get(reverse("admin:places_area_changelist")).status_code == 200
        assert client.get(reverse("admin:projects_sector_changelist")).status_code == 200
        assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403

    def test_only_the_administrator_is_staff(self, db, client):
        staff = User.objects.filter(email__in=demo.DEMO_EMAILS, is_staff=True)
        assert list(staff.values_list("email", flat=True)) == ["admin@suivi.demo"]
        assert not User.objects.filter(is_superuser=True).exists()
        client = _log_in(client, "me@suivi.demo")
        assert client.get(reverse("admin:index")).status_code == 302

    def test_every_computed_indicator_has_a_figure_above_zero_in_some_quarter(self, db):
        for code in CODES.values():
            project = Project.objects.get(code=code)
            computed = project.indicators.filter(method=Indicator.Method.COMPUTED)
            assert computed.count() >= 3, code
            for indicator in computed:
                best = max(
                    indicator.values.filter(cell="", period__kind="quarter").values_list(
                        "value", flat=True
                    ),
                    default=Decimal(0),
                )
                assert best > 0, f"{code} {indicator.code} is zero in every quarter"
            manual = project.indicators.filter(method=Indicator.Method.MANUAL)
            assert IndicatorValue.objects.filter(indicator__in=manual).exists(), code

    def test_indicators_carry_their_disaggregations(self, db):
        trained = Indicator.objects.get(project__code=CODES["edu"], code="2.1.a")
        cells = set(trained.values.values_list("cell", flat=True))
        assert {"sex=F", "sex=M"} <= cells
        assert any(cell.startswith("area=ML09") for cell in cells)

    def test_first_quarter_is_validated_and_locked_and_the_fourth_is_open(self, db):
        me = User.objects.get(email="me@suivi.demo")
        for code in CODES.values():
            quarters = {
                p.number: p for p in Project.objects.get(code=code).periods.filter(kind="quarter")
            }
            assert quarters[1].is_locked and quarters[1].locked_by == me, code
            assert not any(quarters[n].is_locked for n in (2, 3, 4)), code
            statuses = {
                n: set(IndicatorValue.objects.filter(period=quarters[n]).values_list("status"))
                for n in (1, 2, 3)
            }
            assert statuses[1] == statuses[2] == {("validated",)}, code
            assert statuses[3] == {("submitted",)}, code

    def test_the_locked_quarter_refuses_new_delivery_data(self, db):
        project = Project.objects.get(code=CODES["mig"])
        person = Person.objects.filter(registrations__project=project).first()
        with pytest.raises(ValidationError, match="locked"):
            delivery_services.distribution_record(
                project=project,
                by=None,
                data={
                    "date": demo.D(2, 10),
                    "person": person,
                    "kind": "nfi",
                    "item": "Kit NFI individuel",
                    "modality": "in_kind",
                },
            )

    def test_the_compliance_report_shows_registrations_outside_the_rules(self, db, client):
        _log_in(client, "manager@suivi.demo")
        failing = 0
        for code in CODES.values():
            project = Project.objects.get(code=code)
            assert project.eligibility_rule_sets.filter(active=True).exists()
            response = client.get(reverse("registry:compliance_report", args=[project.pk]))
            assert response.status_code == 200
            failing += Registration.objects.filter(
                project=project, eligibility="not_eligible"
            ).count()
        assert failing > 0
        women = Project.objects.get(code=CODES["women"])
        page = client.get(reverse("registry:compliance_report", args=[women.pk])).content.decode()
        assert "Femmes de 18 à 59 ans" in page

    def test_no_delivery_is_dated_after_today(self, db):
        assert not Session.objects.filter(date__gt=demo.TODAY).exists()
        assert not Distribution.objects.filter(date__gt=demo.TODAY).exists()
        assert not Registration.objects.filter(registered_on__gt=demo.TODAY).exists()
        assert not Session.objects.exclude(date__year=2026).exists()

    def test_loading_again_says_so_and_changes_nothing(self, db):
        before = _counts()
        output = _load()
        assert _counts() == before
        assert "already loaded" in output

    def test_the_logins_are_printed_in_french_and_in_english(self, loaded, db):
        for email in demo.DEMO_EMAILS:
            assert loaded.count(email) == 2
        assert "demo-Suivi-2026" in loaded
        assert "Programme manager" in loaded  # the English table

    def test_partner_focal_point_sees_only_their_partners_persons(self, db, client):
        adei = Organisation.objects.get(acronym="ADEI")
        own = Person.objects.filter(registrations__partner=adei).distinct()
        others = Person.objects.exclude(registrations__partner=adei)
        assert own.exists() and others.exists()

        client = _log_in(client, "partner@suivi.demo")
        assert _references(client) == {p.reference for p in own}
        other = others.order_by("pk").first()
        detail = reverse("registry:person_detail", args=[other.pk])
        assert client.get(detail).status_code == 404

    def test_donor_viewer_sees_no_person(self, db, client):
        client = _log_in(client, "donor@suivi.demo")
        person = Person.objects.filter(registrations__project__code=CODES["edu"]).first()
        assert client.get(reverse("registry:person_detail", args=[person.pk])).status_code == 404
        assert person.reference not in client.get(reverse("registry:person_list")).content.decode()

    def test_persons_look_like_the_people_each_project_serves(self, db):
        def groups(key):
            rows = Person.objects.filter(registrations__project__code=CODES[key])
            return {g for (g,) in rows.values_list("population_group").distinct()}

        assert groups("edu") <= {"refugee", "host"}
        assert groups("mig") == {"migrant", "returnee"}
        assert groups("women") <= {"host", "idp", "returnee"}
        refugees = Person.objects.filter(population_group="refugee")
        progres = ExternalId.objects.filter(person__in=refugees, scheme="progres")
        assert progres.count() == refugees.count()
        assert all(
            re.fullmatch(r"MLI-\d{2}-\d{6}", v) for v in progres.values_list("value", flat=True)
        )
        phones = list(Person.objects.exclude(phone="").values_list("phone", flat=True))
        assert phones and all(normalise_phone(phone) == phone for phone in phones)
        assert {p[:4] for p in phones} == {"+223", "+222"}
        assert Person.objects.filter(birth_date_estimated=True).exists()
        assert Person.objects.filter(has_disability=True).exists()
        assert Person.objects.filter(consent_date__isnull=True).count() == 0

    def test_the_duplicates_queue_shows_cross_partner_re_registrations(self, db, client):
        client.force_login(User.objects.get(email="assistant@suivi.demo"))
        page = client.get(reverse("registry:duplicate_list")).content.decode()
        assert "P-" in page
        assert "No possible duplicate to show." not in page
        assert "Aucun doublon possible" not in page

    def test_the_organisations_projects_export_as_valid_iati(self, db, client):
        from tests import standards

        client = _log_in(client, "me@suivi.demo")
        lead = Organisation.objects.get(name=demo.LEAD_NAME)
        response = client.get(reverse("reports:iati_organisation", args=[lead.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/xml")
        assert standards.iati_schema_errors(response.content) == []
        assert standards.iati_codelist_errors(response.content) == []
        assert standards.iati_ruleset_errors(response.content) == []
        assert response.content.count(b"<iati-activity ") == len(demo.PROJECTS)
        assert b"<actual " in response.content  # the validated first quarter

    def test_partners_owe_reports_some_accepted_one_awaiting_review_one_overdue(self, db):
        reports = PartnerReport.objects.all()
        assert Agreement.objects.count() == sum(len(p["partners"]) for p in demo.PROJECTS)
        assert reports.filter(status="accepted").count() > 10
        assert reports.filter(status="submitted").count() == 1
        assert reports.filter(status="returned").count() == 1
        overdue = reports.filter(status="expected", due_date__lt=demo.TODAY)
        assert overdue.count() == 1
        assert all(r.file for r in reports.exclude(status="expected"))

    def test_partner_focal_point_sees_only_their_agreements_on_the_dashboard(self, db, client):
        client = _log_in(client, "partner@suivi.demo")
        page = client.get(reverse("reports:portfolio_dashboard")).content.decode()
        own = Agreement.objects.filter(partner__acronym="ADEI")
        others = Agreement.objects.exclude(partner__acronym="ADEI")
        assert "partner-reports" in page
        assert all(a.reference not in page for a in others)
        page = client.get(reverse("partners:due_list")).content.decode()
        assert any(a.reference in page for a in own)
        assert all(a.reference not in page for a in others)

    def test_the_audit_trail_shows_who_entered_what(self, db):
        assistant = User.objects.get(email="assistant@suivi.demo")
        focal_point = User.objects.get(email="partner@suivi.demo")
        registered = AuditEvent.objects.filter(action="person.register")
        assert registered.count() == Person.objects.count()
        assert registered.filter(actor=assistant).exists()
        assert registered.filter(actor=focal_point).exists()
        assert AuditEvent.objects.filter(action="period.lock").count() == len(CODES)


def test_a_failure_at_the_end_leaves_nothing_and_a_rerun_builds_the_same_demo(db, monkeypatch):
    """The computation of indicators comes last: when it fails, everything before is undone.

    What each run had written just before failing is kept aside to show that the seeded builder
    makes the same demo every time.
    """
    seen = []

    def broken(**kwargs):
        persons = Person.objects.order_by("family_name", "given_name", "birth_date", "phone")
        rows = persons.values_list("family_name", "given_name", "sex", "birth_date", "phone")
        seen.append((list(rows), _counts()))
        raise RuntimeError("computation failed")

    monkeypatch.setattr("suivi.reports.services.project_compute", broken)
    for _attempt in range(2):
        with pytest.raises(RuntimeError):
            _load()
        assert not demo.is_loaded()
        assert Organisation.objects.count() == User.objects.count() == Person.objects.count() == 0
        assert not AuditEvent.objects.exclude(action="areas.load").exists()

    assert seen[0][1]["Person"] > 100
    assert seen[0] == seen[1]


def test_existing_demo_accounts_without_the_demo_are_refused(db):
    User.objects.create_user("me@suivi.demo", "another-password-2026")

    with pytest.raises(CommandError, match="me@suivi.demo"):
        _load()
    assert not demo.is_loaded()
