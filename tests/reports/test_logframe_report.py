"""The logframe report (IPTT): target against actual per period, drill-down, Excel, validation."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from suivi.projects import services as project_services
from suivi.projects.models import IndicatorValue
from suivi.reports import indicators
from tests import helpers
from tests.reports.conftest import attend, quarter, text, year_period


def report(project, kind="quarter") -> str:
    return reverse("reports:logframe_report", args=[project.pk]) + f"?kind={kind}"


def row_of(response, indicator):
    return next(r for r in response.context["table"].rows if r.indicator == indicator)


@pytest.fixture
def iptt(world, attended):
    """The attended indicator (2 persons in Q1, target 4: 50 %, red) and a manual one."""
    trained, q1 = attended
    attend(world.session_p, world.person_p)
    attend(world.session_q, world.person_q)
    project_services.target_set(indicator=trained, period=q1, value=Decimal(4), by=world.me_a)
    project_services.target_set(
        indicator=trained, period=year_period(world.pa), value=Decimal(10), by=world.me_a
    )
    trained.baseline = Decimal(3)
    trained.save(update_fields=["baseline"])
    outcome = project_services.result_create(
        project=world.pa,
        by=None,
        data={"level": "outcome", "code": "1", "title_fr": "Effet 1", "title_en": "Outcome 1"},
    )
    trained.result.parent = outcome
    trained.result.save(update_fields=["parent"])
    schools = helpers.create_indicator(world.pa, "1.1.2", name_en="Schools rebuilt")
    project_services.target_set(indicator=schools, period=q1, value=Decimal(2), by=world.me_a)
    project_services.indicator_value_set(
        indicator=schools, period=q1, value=Decimal(2), by=world.me_a
    )
    return trained, schools, q1


def test_me_officer_sees_each_indicator_by_quarter_against_its_target(world, login, iptt):
    trained, schools, q1 = iptt

    response = login(world.me_a).get(report(world.pa))

    assert response.status_code == 200
    table = response.context["table"]
    assert [p.label for p in table.periods] == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]
    assert [r.code for r in table.results] == ["1", "1.1"]
    first = row_of(response, trained).cells[0]
    assert (first.target, first.actual, first.percent, first.colour) == (4, 2, 50, "red")
    assert first.actual == indicators.figures(trained, q1).total
    second = row_of(response, schools).cells[0]
    assert (second.actual, second.percent, second.colour) == (2, 100, "green")
    page = text(response)
    assert "Outcome 1" in page and "Schools rebuilt" in page
    assert 'class="num status-red">50<' in page


def test_life_of_project_column_counts_each_person_once_against_the_year_target(world, login, iptt):
    trained, _schools, _q1 = iptt
    helpers.create_session(world.pa, partner=world.p, date=world.pa.start_date.replace(month=5))
    second = world.pa.sessions.order_by("-date").first()
    attend(second, world.person_p)

    response = login(world.me_a).get(report(world.pa))

    lop = row_of(response, trained).lop
    assert (lop.target, lop.actual, lop.percent) == (10, 2, 20)


def test_an_actual_links_to_the_persons_behind_it_for_staff(world, login, iptt):
    trained, schools, q1 = iptt

    page = text(login(world.assistant_a).get(report(world.pa)))

    assert reverse("reports:indicator_persons", args=[trained.pk, q1.pk]) in page
    # An indicator entered by hand has no persons behind it.
    assert reverse("reports:indicator_persons", args=[schools.pk, q1.pk]) not in page


def test_donor_viewer_sees_the_figures_without_any_link_to_persons(world, login, iptt):
    trained, _schools, q1 = iptt

    response = login(world.donor_a).get(report(world.pa))

    assert response.status_code == 200
    assert row_of(response, trained).cells[0].actual == 2
    assert reverse("reports:indicator_persons", args=[trained.pk, q1.pk]) not in text(response)
    assert all(c.persons_url is None for r in response.context["table"].rows for c in r.cells)
    assert "Coulibaly" not in text(response)


def test_outsider_gets_404_for_the_report_and_its_download(world, login, iptt):
    client = login(world.outsider_b)
    assert client.get(report(world.pa)).status_code == 404
    xlsx = reverse("reports:logframe_report_xlsx", args=[world.pa.pk])
    assert client.get(xlsx).status_code == 404


def test_year_selector_shows_the_year_with_its_target(world, login, iptt):
    trained, _schools, _q1 = iptt

    response = login(world.me_a).get(report(world.pa, "year"))

    table = response.context["table"]
    assert [p.label for p in table.periods] == ["2026"]
    cell = row_of(response, trained).cells[0]
    assert (cell.target, cell.actual) == (10, 2)


def test_excel_download_holds_the_same_figures_as_the_page(world, login, iptt):
    trained, _schools, _q1 = iptt
    client = login(world.me_a)

    response = client.get(reverse("reports:logframe_report_xlsx", args=[world.pa.pk]))

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[4:7] == ("Q1 2026 target", "Q1 2026 actual", "Q1 2026 % achieved")
    line = next(r for r in rows[1:] if r[1] == trained.code)
    assert line[3] == 3  # baseline
    assert line[4:7] == (4, 2, 50)


def test_report_queries_do_not_grow_with_the_number_of_indicators(settings, world, login, iptt):
    settings.SUIVI_FIGURES_CACHE_SECONDS = 0  # every reading computes: count its queries
    client = login(world.me_a)
    client.get(report(world.pa))  # warm the session and the user's scopes

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(report(world.pa)).status_code == 200
        return len(ctx)

    before = count()
    for n in range(3, 9):
        helpers.create_indicator(world.pa, f"1.1.{n}")
    assert count() == before


def test_me_officer_validates_the_quarter_from_the_report(world, login, iptt):
    trained, schools, q1 = iptt
    client = login(world.me_a)

    response = client.post(reverse("reports:period_validate", args=[q1.pk]), follow=True)

    assert response.status_code == 200
    assert "Q1 2026: the values of 2 indicators are validated." in text(response)
    statuses = set(IndicatorValue.objects.filter(period=q1).values_list("status", flat=True))
    assert statuses == {IndicatorValue.Status.VALIDATED}
    assert indicators.figures(trained, q1).status == IndicatorValue.Status.VALIDATED
    assert world.pa.organisation_id == q1.organisation_id


def test_donor_and_assistant_cannot_validate_and_outsider_gets_404(world, login, iptt):
    _trained, _schools, q1 = iptt
    url = reverse("reports:period_validate", args=[q1.pk])
    assert login(world.donor_a).post(url).status_code == 403
    assert login(world.assistant_a).post(url).status_code == 403
    assert login(world.outsider_b).post(url).status_code == 404
    assert not IndicatorValue.objects.filter(period=q1, status="validated").exists()


def test_locked_quarter_is_not_validated_again(world, login, iptt):
    _trained, _schools, q1 = iptt
    project_services.period_lock(period=q1, by=world.me_a)

    response = login(world.me_a).post(reverse("reports:period_validate", args=[q1.pk]), follow=True)

    assert "is locked" in text(response)
    assert not IndicatorValue.objects.filter(period=q1, status="validated").exists()
    assert quarter(world.pa, 1).is_locked


def test_quarters_are_shown_one_year_at_a_time(world, login):
    project = helpers.create_project(
        world.a, code="PA-2Y", start=datetime.date(2025, 1, 1), end=datetime.date(2026, 12, 31)
    )
    client = login(world.me_a)
    url = reverse("reports:logframe_report", args=[project.pk])

    earlier = client.get(url, {"kind": "quarter", "year": 2025}).context["table"]
    years = client.get(url, {"kind": "year"}).context["table"]

    assert [p.label for p in earlier.periods] == ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"]
    assert earlier.years == [2025, 2026]
    assert [p.label for p in years.periods] == ["2025", "2026"]
