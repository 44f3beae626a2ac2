"""The persons behind a figure: only those the user may see; never for donors or outsiders."""

from __future__ import annotations

import datetime

from django.urls import reverse

from tests import helpers
from tests.reports.conftest import attend, text


def persons(indicator, period, cell=None) -> str:
    url = reverse("reports:indicator_persons", args=[indicator.pk, period.pk])
    return f"{url}?cell={cell}" if cell else url


def test_me_officer_sees_every_person_behind_the_figure(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    attend(world.session_q, world.person_q, world.person_p)

    response = login(world.me_a).get(persons(indicator, q1))

    assert response.status_code == 200
    listed = {p.pk: p.times for p in response.context["page"].object_list}
    assert listed == {world.person_p.pk: 2, world.person_q.pk: 1}
    assert response.context["figure"] == 2


def test_partner_sees_only_their_own_persons_behind_the_figure(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    attend(world.session_q, world.person_q)

    response = login(world.partner_p).get(persons(indicator, q1))

    assert response.status_code == 200
    assert response.context["figure"] == 2
    assert [p.pk for p in response.context["page"].object_list] == [world.person_p.pk]
    page = text(response)
    assert "Coulibaly".upper() in page
    assert "Diallo".upper() not in page


def test_cell_narrows_the_list_to_that_cell(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    attend(world.session_q, world.person_q)

    response = login(world.me_a).get(persons(indicator, q1, "sex%3DM"))

    assert [p.pk for p in response.context["page"].object_list] == [world.person_q.pk]
    assert response.context["figure"] == 1
    assert ("Sex", "Male") in response.context["cell_labels"]


def test_age_band_cell_takes_ages_on_the_last_day_of_the_period(world, login, attended):
    indicator, q1 = attended
    indicator.disaggregations = ["age_band"]
    indicator.save(update_fields=["disaggregations"])
    # 18 on 31 March 2026, the last day of Q1, but 17 on the day of the session.
    adult = helpers.create_person(world.pa, partner=world.p, birth_date=datetime.date(2008, 3, 1))
    attend(world.session_p, world.person_p, adult)

    response = login(world.me_a).get(persons(indicator, q1, "age_band%3D18-24"))

    assert [p.pk for p in response.context["page"].object_list] == [adult.pk]
    assert response.context["figure"] == 1


def test_malformed_cell_gets_a_message_and_the_whole_list(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    response = login(world.me_a).get(persons(indicator, q1, "colour%3Dblue"))
    assert response.status_code == 200
    assert "Cell: The cell colour=blue is not understood" in text(response)
    assert len(response.context["page"].object_list) == 1


def test_donor_gets_404(world, login, attended):
    indicator, q1 = attended
    attend(world.session_p, world.person_p)
    assert login(world.donor_a).get(persons(indicator, q1)).status_code == 404


def test_outsider_gets_404(world, login, attended):
    indicator, q1 = attended
    assert login(world.outsider_b).get(persons(indicator, q1)).status_code == 404


def test_period_of_another_project_gets_404(world, login, attended):
    indicator, _q1 = attended
    other = world.pb.periods.first()
    assert login(world.me_a).get(persons(indicator, other)).status_code == 404


def test_counted_reach_has_no_persons_to_list(world, login):
    reach = helpers.create_indicator(world.pa, definition={"source": "reach"})
    period = world.pa.periods.first()
    assert login(world.me_a).get(persons(reach, period)).status_code == 404


def test_list_is_paginated(world, login, attended):
    indicator, q1 = attended
    many = [helpers.create_person(world.pa, partner=world.p) for _ in range(55)]
    attend(world.session_p, *many)
    client = login(world.me_a)
    first = client.get(persons(indicator, q1))
    second = client.get(persons(indicator, q1) + "?page=2")
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5


def test_search_finds_a_name_without_its_accents(world, login, attended):
    indicator, q1 = attended
    keita = helpers.create_person(world.pa, partner=world.p, family_name="Keïta")
    attend(world.session_p, world.person_p, keita)
    response = login(world.me_a).get(persons(indicator, q1) + "?q=keita")
    assert [p.pk for p in response.context["page"].object_list] == [keita.pk]
