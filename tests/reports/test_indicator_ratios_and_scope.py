"""Ratios of indicators, and filters on area, partner and planned activity."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from suivi.accounts.models import OrganisationKind
from suivi.projects import services as project_services
from suivi.projects.models import Indicator
from suivi.reports import indicators
from tests import helpers
from tests.projects.pages import indicator_post, text
from tests.reports.conftest import Q1_DAY, attend, quarter

TRAINED = {"source": "attendance", "measure": "persons", "session_kinds": ["training"]}


@pytest.fixture
def project(world):
    """A new project of agency A with partners P and Q, and nothing in it yet."""
    return helpers.create_project(world.a, code="PA-NEW", partners=[world.p, world.q])


def share_of_women(project, **extra):
    helpers.create_indicator(project, "1.1.1", definition=TRAINED, disaggregations=["sex"])
    helpers.create_indicator(
        project,
        "1.1.2",
        definition={**TRAINED, "person": {"sex": "F"}},
        disaggregations=["sex"],
    )
    return helpers.create_indicator(
        project,
        "1.1.3",
        definition={"source": "ratio", "numerator": "1.1.2", "denominator": "1.1.1", "scale": 100},
        disaggregations=["sex"],
        unit="percentage",
        **extra,
    )


def test_share_of_women_among_trainees_is_computed_cell_by_cell(project):
    session = helpers.create_session(project, date=Q1_DAY)
    attend(session, *(helpers.create_person(project, sex="F") for _ in range(3)))
    attend(session, helpers.create_person(project, sex="M"))
    ratio = share_of_women(project)

    found = indicators.figures(ratio, quarter(project, 1))

    assert found.cells == {"": Decimal("75.00"), "sex=F": Decimal("100.00"), "sex=M": Decimal(0)}
    assert not indicators.has_persons(ratio)
    assert "1.1.2" in " ".join(indicators.describe(ratio))


def test_a_cell_whose_denominator_is_zero_has_no_value(project):
    ratio = share_of_women(project)

    found = indicators.figures(ratio, quarter(project, 1))

    assert found.cells == {}
    assert found.total is None


def test_a_ratio_over_a_fixed_population_divides_by_that_number(project):
    attend(helpers.create_session(project, date=Q1_DAY), helpers.create_person(project))
    helpers.create_indicator(project, "1.1.1", definition=TRAINED)
    coverage = helpers.create_indicator(
        project,
        "1.1.2",
        definition={"source": "ratio", "numerator": "1.1.1", "denominator": 8, "scale": 100},
    )
    assert indicators.figures(coverage, quarter(project, 1)).cells == {"": Decimal("12.50")}


def test_a_fixed_denominator_of_zero_is_refused_at_save(project):
    helpers.create_indicator(project, "1.1.1", definition=TRAINED)
    with pytest.raises(ValidationError, match="divide by zero"):
        helpers.create_indicator(
            project, "1.1.2", definition={"source": "ratio", "numerator": "1.1.1", "denominator": 0}
        )


def test_a_ratio_of_an_unknown_indicator_is_refused_at_save(project):
    with pytest.raises(ValidationError, match="9.9.9"):
        helpers.create_indicator(
            project, "1.1.2", definition={"source": "ratio", "numerator": "9.9.9", "denominator": 4}
        )


def test_ratios_that_refer_to_each_other_in_a_circle_are_refused_at_save(project, world):
    helpers.create_indicator(project, "1.1.1", definition=TRAINED)
    first = helpers.create_indicator(
        project, "1.1.2", definition={"source": "ratio", "numerator": "1.1.1", "denominator": 2}
    )
    helpers.create_indicator(
        project, "1.1.3", definition={"source": "ratio", "numerator": "1.1.2", "denominator": 2}
    )
    with pytest.raises(ValidationError, match="refers back to itself"):
        project_services.indicator_update(
            indicator=first,
            by=world.me_a,
            data={"definition": {"source": "ratio", "numerator": "1.1.3", "denominator": 2}},
        )


def test_me_officer_builds_a_ratio_in_the_form_and_is_told_about_a_zero_denominator(
    project, world, login
):
    counted = helpers.create_indicator(project, "1.1.1", definition=TRAINED)
    client = login(world.me_a)
    url = reverse("projects:indicator_create", args=[project.pk])
    ratio = {
        "code": "1.1.2",
        "unit": "percentage",
        "source": "ratio",
        "measure": "",
        "session_kinds": [],
        "min_count": "",
        "person_sex": "",
        "person_age_min": "",
        "person_age_max": "",
        "numerator": "1.1.1",
        "scale": "100",
        "disaggregations": [],
        "baseline": "",
        "baseline_date": "",
    }

    refused = client.post(url, indicator_post(counted.result, **ratio, denominator="0"))
    assert refused.status_code == 200
    assert "cannot divide by zero" in text(refused)
    assert not Indicator.objects.filter(project=project, code="1.1.2").exists()

    saved = client.post(url, indicator_post(counted.result, **ratio, denominator="1.1.1"))
    assert saved.status_code == 302
    made = Indicator.objects.get(project=project, code="1.1.2")
    assert made.definition == {
        "source": "ratio",
        "numerator": "1.1.1",
        "denominator": "1.1.1",
        "scale": 100,
    }


def test_area_filter_counts_sessions_in_the_area_and_the_areas_within(project):
    gao = helpers.create_area("ML07", "Gao")
    ansongo = helpers.create_area("ML0702", "Ansongo", level=2, parent=gao)
    kidal = helpers.create_area("ML08", "Kidal")
    for area in (gao, ansongo, kidal):
        attend(
            helpers.create_session(project, date=Q1_DAY, area=area), helpers.create_person(project)
        )
    in_gao = helpers.create_indicator(project, definition={**TRAINED, "areas": ["ML07"]})

    assert indicators.compute(in_gao, quarter(project, 1)) == {"": Decimal(2)}
    assert "Gao" in " ".join(indicators.describe(in_gao))


def test_an_unknown_pcode_in_the_area_filter_is_refused_at_save(project):
    with pytest.raises(ValidationError, match="ML99"):
        helpers.create_indicator(project, definition={**TRAINED, "areas": ["ML99"]})


def test_partner_filter_counts_only_that_partners_work(project, world):
    attend(helpers.create_session(project, partner=world.p), helpers.create_person(project))
    attend(helpers.create_session(project, partner=world.q), helpers.create_person(project))
    helpers.create_distribution(project, helpers.create_person(project), partner=world.p)
    by_p = helpers.create_indicator(
        project, "1.1.1", definition={**TRAINED, "partners": [world.p.pk]}
    )
    kits_by_q = helpers.create_indicator(
        project,
        "1.1.2",
        definition={"source": "distribution", "measure": "rows", "partners": [world.q.pk]},
    )

    assert indicators.compute(by_p, quarter(project, 1)) == {"": Decimal(1)}
    assert indicators.compute(kits_by_q, quarter(project, 1)) == {"": Decimal(0)}


def test_a_partner_of_another_project_is_refused_in_the_filter(project):
    stranger = helpers.create_organisation("ONG X", OrganisationKind.NATIONAL_NGO, "ONGX")
    with pytest.raises(ValidationError, match="not a partner"):
        helpers.create_indicator(project, definition={**TRAINED, "partners": [stranger.pk]})


def test_planned_activity_filter_counts_only_its_sessions(project):
    activity = project_services.planned_activity_create(
        project=project,
        by=None,
        data={
            "title_fr": "Formation des enseignants",
            "start_date": datetime.date(2026, 1, 1),
            "end_date": datetime.date(2026, 3, 31),
        },
    )
    attend(
        helpers.create_session(project, planned_activity=activity), helpers.create_person(project)
    )
    attend(helpers.create_session(project), helpers.create_person(project))
    under = helpers.create_indicator(
        project, definition={**TRAINED, "planned_activities": [activity.pk]}
    )

    assert indicators.compute(under, quarter(project, 1)) == {"": Decimal(1)}


def test_sessions_held_are_counted_by_type_and_area(project):
    gao = helpers.create_area("ML07", "Gao")
    helpers.create_session(project, date=Q1_DAY, area=gao)
    helpers.create_session(project, date=Q1_DAY, area=gao, kind="awareness")
    helpers.create_session(project, date=Q1_DAY)
    trainings_in_gao = helpers.create_indicator(
        project,
        definition={"source": "session", "session_kinds": ["training"], "areas": ["ML07"]},
        disaggregations=["sex"],
    )

    assert indicators.compute(trainings_in_gao, quarter(project, 1)) == {"": Decimal(1)}
    assert not indicators.has_persons(trainings_in_gao)


def test_distinct_groups_that_received_a_distribution_are_counted_once(project):
    from suivi.registry import services as registry_services

    group = registry_services.group_create(
        organisation=project.organisation,
        by=None,
        data={"name": "Groupement Benkadi", "kind": "womens_group", "project": project},
    )
    for _ in range(2):
        helpers.create_distribution(project, None, group=group, kind="kit")
    helpers.create_distribution(project, helpers.create_person(project))
    groups = helpers.create_indicator(
        project, definition={"source": "distribution", "measure": "groups"}
    )

    assert indicators.compute(groups, quarter(project, 1)) == {"": Decimal(1)}
