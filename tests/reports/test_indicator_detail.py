"""The indicator page: its figure in every period, live or stored, and one period disaggregated."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from suivi.projects import services as project_services
from suivi.projects.models import IndicatorValue
from suivi.registry import services as registry_services
from tests import helpers
from tests.reports.conftest import attend, quarter, text


def detail(indicator, period=None) -> str:
    url = reverse("reports:indicator_detail", args=[indicator.pk])
    return f"{url}?period={period.pk}" if period is not None else url


def test_me_officer_sees_the_quarter_figure_change_after_a_new_attendance(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    client = login(world.me_a)

    before = client.get(detail(indicator, q1))
    assert before.status_code == 200
    assert before.context["chosen_figures"].cells == {"": 1, "sex=F": 1}
    assert before.context["chosen_figures"].live

    attend(world.session_q, world.person_q)
    after = client.get(detail(indicator, q1))
    assert after.context["chosen_figures"].cells == {"": 2, "sex=F": 1, "sex=M": 1}
    page = text(after)
    assert 'data-cell="sex=M"' in page
    row = next(r for r in after.context["rows"] if r["period"] == q1)
    assert row["figures"].total == 2


def test_me_officer_validates_the_quarter_and_the_page_says_so(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    attend(world.session_q, world.person_q)
    client = login(world.me_a)

    response = client.post(
        reverse("reports:values_transition", args=[indicator.pk, q1.pk]),
        {"status": "validated"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == detail(indicator, q1)
    stored = dict(
        IndicatorValue.objects.filter(indicator=indicator, period=q1).values_list("cell", "status")
    )
    assert stored == {"": "validated", "sex=F": "validated", "sex=M": "validated"}
    assert response.context["chosen_figures"].status == "validated"
    assert "Q1 2026: the values are now Validated." in text(response)


def test_locked_quarter_shows_its_stored_value_after_the_register_changes(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    client = login(world.me_a)
    client.post(
        reverse("reports:values_transition", args=[indicator.pk, q1.pk]), {"status": "validated"}
    )
    project_services.period_lock(period=q1, by=world.me_a)
    registry_services.person_update(person=world.person_p, by=world.me_a, data={"sex": "M"})

    response = client.get(detail(indicator, q1))

    figures = response.context["chosen_figures"]
    assert (figures.cells, figures.live, figures.status) == (
        {"": 1, "sex=F": 1},
        False,
        "validated",
    )
    assert "locked" in text(response)
    assert 'action="/reports/' not in text(response)  # no compute or validate button


def test_definition_is_explained_in_words(world, login):
    indicator = helpers.create_indicator(
        world.pa,
        definition={
            "source": "attendance",
            "session_kinds": ["training"],
            "min_count": 2,
            "person": {"sex": "F", "age_min": 15, "age_max": 24},
        },
        cumulative=True,
    )
    page = text(login(world.me_a).get(detail(indicator)))
    assert "Counts distinct registered persons present at sessions of Training." in page
    assert "Only those counted at least 2 times." in page
    assert "Only: women and girls; aged 15 to 24." in page
    assert "Counted from the start of the project (01/01/2026)" in page


def test_the_page_reads_in_french_by_default(world, client, attended, settings):
    settings.LANGUAGE_CODE = "fr"
    indicator, q1 = attended
    client.force_login(world.me_a)
    response = client.get(detail(indicator, q1))
    assert response.status_code == 200
    assert '<html lang="fr"' in text(response)


def test_area_cells_are_named_from_the_places(world, login):
    gao = helpers.create_area("ML07", "Gao")
    person = helpers.create_person(world.pa, partner=world.p, area=gao)
    attend(world.session_p, person)
    indicator = helpers.create_indicator(
        world.pa, definition={"source": "attendance"}, disaggregations=["area"]
    )
    response = login(world.me_a).get(detail(indicator, quarter(world.pa, 1)))
    rows = response.context["margins"][0]["rows"]
    assert [(r["label"], r["value"]) for r in rows] == [("Gao (ML07)", 1)]


def test_targets_give_the_percentage_achieved_and_its_colour(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p, world.person_q)
    project_services.target_set(indicator=indicator, period=q1, value=Decimal(3), by=world.me_a)
    year = world.pa.periods.get(kind="year", year=2026)
    project_services.target_set(indicator=indicator, period=year, value=Decimal(2), by=world.me_a)

    response = login(world.me_a).get(detail(indicator, q1))

    rows = {r["period"].pk: r for r in response.context["rows"]}
    assert (round(rows[q1.pk]["percent"]), rows[q1.pk]["colour"]) == (67, "amber")
    assert (rows[year.pk]["percent"], rows[year.pk]["colour"]) == (100, "green")
    assert "status-amber" in text(response)


def test_manual_indicator_shows_stored_values_with_evidence_and_entry_links(world, login):
    manual = helpers.create_indicator(world.pa, code="2.1")
    q1 = quarter(world.pa, 1)
    project_services.indicator_value_set(
        indicator=manual, period=q1, value=Decimal("12.5"), by=world.me_a
    )

    response = login(world.me_a).get(detail(manual, q1))

    assert response.context["chosen_figures"].total == Decimal("12.5")
    assert not response.context["chosen_figures"].live
    page = text(response)
    assert reverse("projects:value_enter", args=[manual.pk, q1.pk]) in page
    assert "12.5" in page


def test_unknown_period_gets_a_message_and_the_current_quarter(world, login, attended):
    indicator, _q1 = attended
    response = login(world.me_a).get(detail(indicator) + "?period=abc")
    assert response.status_code == 200
    assert "Period: abc is not a reporting period of this project" in text(response)
    other = world.pb.periods.first()
    response = login(world.me_a).get(detail(indicator, other))
    assert response.context["chosen"].project_id == world.pa.pk


def test_donor_sees_figures_without_links_to_persons(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    response = login(world.donor_a).get(detail(indicator, q1))
    assert response.status_code == 200
    assert response.context["chosen_figures"].total == 1
    assert response.context["persons_url"] is None
    page = text(response)
    assert reverse("reports:indicator_persons", args=[indicator.pk, q1.pk]) not in page
    assert "Coulibaly" not in page
    assert "Compute and store" not in page


def test_partner_sees_figures_and_links_to_persons(world, login, attended):
    indicator, q1 = attended
    attend(world.session_q, world.person_q)
    response = login(world.partner_p).get(detail(indicator, q1))
    assert response.context["chosen_figures"].total == 1
    assert reverse("reports:indicator_persons", args=[indicator.pk, q1.pk]) in text(response)


def test_outsider_gets_404(world, login, attended):
    indicator, q1 = attended
    assert login(world.outsider_b).get(detail(indicator, q1)).status_code == 404


def test_periods_not_begun_are_not_computed(world, login):
    project = helpers.create_project(
        world.a, code="PA-LATER", start=datetime.date(2026, 1, 1), end=datetime.date(2099, 12, 31)
    )
    indicator = helpers.create_indicator(project, definition={"source": "attendance"})
    response = login(world.me_a).get(detail(indicator, quarter(project, 1)))
    rows = {r["period"].pk: r for r in response.context["rows"]}
    last = quarter(project, 4, year=2099)
    assert rows[last.pk]["figures"] is None
    assert rows[quarter(project, 1).pk]["figures"].total == 0
