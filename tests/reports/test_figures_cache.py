"""Computed figures are kept between readers, and never outlive the data they were computed from."""

from __future__ import annotations

import socket

import pytest
from django.core.management import call_command
from django.urls import reverse

from suivi.places import services as places_services
from suivi.registry import services as registry_services
from suivi.reports import indicators
from tests import helpers
from tests.reports.conftest import attend


@pytest.fixture
def computations(monkeypatch):
    """The number of computations the engine really ran (kept figures are not counted)."""
    calls = []
    real, real_together = indicators._compute, indicators._compute_together

    def counted(indicator, period, **kwargs):
        if not indicators._together(indicator):  # else counted below
            calls.append((indicator.pk, period.pk))
        return real(indicator, period, **kwargs)

    def counted_together(pairs, **kwargs):
        calls.extend((i.pk, p.pk) for i, p in pairs)
        return real_together(pairs, **kwargs)

    monkeypatch.setattr(indicators, "_compute", counted)
    monkeypatch.setattr(indicators, "_compute_together", counted_together)
    return calls


def report(project) -> str:
    return reverse("reports:logframe_report", args=[project.pk]) + "?kind=quarter"


def actual(response, indicator, period):
    row = next(r for r in response.context["table"].rows if r.indicator == indicator)
    return next(c for c in row.cells if c.period == period).actual


def test_second_reader_of_the_logframe_report_gets_kept_figures(
    world, login, attended, computations
):
    trained, q1 = attended
    attend(world.session_p, world.person_p)
    client = login(world.me_a)

    first = client.get(report(world.pa))
    ran = len(computations)
    second = client.get(report(world.pa))

    assert ran > 0
    assert len(computations) == ran
    assert actual(first, trained, q1) == actual(second, trained, q1) == 1


def test_attendance_recorded_after_a_reading_shows_at_the_next_reading(
    world, login, attended, computations
):
    trained, q1 = attended
    attend(world.session_p, world.person_p)
    client = login(world.me_a)
    assert actual(client.get(report(world.pa)), trained, q1) == 1

    attend(world.session_q, world.person_q)

    assert actual(client.get(report(world.pa)), trained, q1) == 2


def test_a_person_corrected_after_a_reading_moves_to_the_right_cell(world, login, attended):
    trained, q1 = attended
    attend(world.session_p, world.person_p)
    assert indicators.figures(trained, q1).cells == {"": 1, "sex=F": 1}

    registry_services.person_update(person=world.person_p, by=world.me_a, data={"sex": "M"})

    assert indicators.figures(trained, q1).cells == {"": 1, "sex=M": 1}


def test_a_renamed_place_changes_the_stamp_of_every_organisation(world, attended):
    trained, q1 = attended
    before_a = indicators.data_stamp(world.a.pk)
    before_b = indicators.data_stamp(world.b.pk)
    rows = [
        places_services.AreaRow(1, "ML", "ML", "0", "", "Mali", "Mali"),
        places_services.AreaRow(2, "ML07", "ML", "1", "ML", "Gao", "Gao"),
    ]

    places_services.areas_load(rows=rows, by=None, source="cod-ab.csv")

    assert indicators.data_stamp(world.a.pk) != before_a
    assert indicators.data_stamp(world.b.pk) != before_b


def test_a_change_in_another_organisation_keeps_the_figures(world, attended, computations):
    trained, q1 = attended
    attend(world.session_p, world.person_p)
    indicators.figures(trained, q1)
    ran = len(computations)

    helpers.create_person(world.pb, family_name="Diallo")
    indicators.figures(trained, q1)

    assert len(computations) == ran


def test_warming_computes_ahead_what_the_report_page_reads(
    world, login, attended, computations, capsys
):
    trained, q1 = attended
    attend(world.session_p, world.person_p)

    call_command("figures_warm", project=[world.pa.code])
    warmed = len(computations)
    response = login(world.me_a).get(report(world.pa))

    assert warmed > 0
    assert len(computations) == warmed
    assert actual(response, trained, q1) == 1
    assert "figures ready" in capsys.readouterr().out


def test_warming_an_unknown_project_says_which_code(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="NOPE"):
        call_command("figures_warm", project=["NOPE"])


def test_without_keeping_every_reading_computes(settings, world, attended, computations):
    settings.SUIVI_FIGURES_CACHE_SECONDS = 0
    trained, q1 = attended
    indicators.figures(trained, q1)
    indicators.figures(trained, q1)

    assert len(computations) == 2


def _redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_listening(), reason="no Redis on 127.0.0.1:6379")
def test_figures_are_kept_in_redis_when_it_is_the_cache(settings, world, attended, computations):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": f"suivi-test-{world.a.pk}-{id(settings)}",
        }
    }
    from django.core.cache import cache

    cache.clear()
    trained, q1 = attended
    attend(world.session_p, world.person_p)
    first = indicators.figures(trained, q1).cells
    ran = len(computations)
    second = indicators.figures(trained, q1).cells
    attend(world.session_q, world.person_q)
    third = indicators.figures(trained, q1).cells
    cache.clear()

    assert first == second == {"": 1, "sex=F": 1}
    assert len(computations) == ran + 1
    assert third == {"": 2, "sex=F": 1, "sex=M": 1}


def test_a_donor_report_or_a_target_keeps_the_figures(world, attended, computations):
    from decimal import Decimal

    from suivi.projects import services as project_services
    from suivi.reports import services as report_services

    trained, q1 = attended
    attend(world.session_p, world.person_p)

    def generate():
        report_services.donor_report_request(
            project=world.pa,
            kind="quarterly",
            language="fr",
            format="xlsx",
            by=world.me_a,
            quarter=q1,
        )

    generate()
    ran = len(computations)
    project_services.target_set(indicator=trained, period=q1, value=Decimal(5), by=world.me_a)
    generate()

    assert ran > 0
    assert len(computations) == ran


def test_the_idle_worker_computes_ahead_what_the_report_page_reads(
    world, login, attended, computations
):
    trained, q1 = attended
    attend(world.session_p, world.person_p)

    call_command("work", once=True)
    warmed = len(computations)
    response = login(world.me_a).get(report(world.pa))

    assert warmed > 0
    assert len(computations) == warmed
    assert actual(response, trained, q1) == 1


def test_data_entered_in_another_project_keeps_the_figures(world, attended, computations):
    trained, q1 = attended
    attend(world.session_p, world.person_p)
    indicators.figures(trained, q1)
    ran = len(computations)
    other = helpers.create_project(world.a, code="PA-AUTRE")
    session = helpers.create_session(other, title="Formation ailleurs")
    elsewhere = helpers.create_person(other, family_name="Sangaré")

    attend(session, elsewhere)
    indicators.figures(trained, q1)

    assert len(computations) == ran


def test_a_person_changed_anywhere_in_the_organisation_changes_every_project_stamp(world):
    other = helpers.create_project(world.a, code="PA-AUTRE")
    before = (
        indicators.data_stamp(world.a.pk, world.pa.pk),
        indicators.data_stamp(world.a.pk, other.pk),
    )

    registry_services.person_update(person=world.person_p, by=world.me_a, data={"sex": "M"})

    after = (
        indicators.data_stamp(world.a.pk, world.pa.pk),
        indicators.data_stamp(world.a.pk, other.pk),
    )
    assert after[0] != before[0]
    assert after[1] != before[1]
