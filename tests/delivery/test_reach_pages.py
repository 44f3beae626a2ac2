"""Counted reach: people reached by a mass activity, by sex and age band."""

from __future__ import annotations

import datetime

from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.delivery.models import ReachCount
from tests import helpers
from tests.delivery.pages import text


def _grid(cells: dict[str, str] | None = None) -> dict:
    """The grid as posted: every cell empty but those given ({"F_25-59": "40"})."""
    bands = ["0-4", "5-11", "12-17", "18-24", "25-59", "60+", "unknown"]
    data = {f"{sex}_{band}": "" for band in bands for sex in ("F", "M")}
    data.update(cells or {})
    return data


def _counts(session) -> dict:
    return {(r.sex, r.age_band): r.count for r in ReachCount.objects.filter(session=session)}


def test_reach_grid_is_saved_and_shown(world, login):
    radio = helpers.create_session(
        world.pa, title="Émission radio", kind="mass_campaign", date=datetime.date(2026, 5, 3)
    )
    client = login(world.assistant_a)
    url = reverse("delivery:reach_edit", args=[radio.pk])
    page = text(client.get(url))
    assert 'name="F_0-4"' in page and 'name="M_60+"' in page and 'name="F_unknown"' in page

    response = client.post(
        url, _grid({"F_25-59": "40", "M_25-59": "35", "F_12-17": "12", "M_unknown": "7"})
    )

    assert response.status_code == 302
    assert _counts(radio) == {
        ("F", "25-59"): 40,
        ("M", "25-59"): 35,
        ("F", "12-17"): 12,
        ("M", "unknown"): 7,
    }
    assert AuditEvent.objects.filter(action="reach.set", actor=world.assistant_a).exists()
    page = text(client.get(reverse("delivery:session_detail", args=[radio.pk])))
    assert "94" in page
    assert 'value="40"' in text(client.get(url))

    # Emptying a cell removes it; the others are kept as posted.
    client.post(url, _grid({"F_25-59": "41", "M_25-59": "35", "F_12-17": "", "M_unknown": "7"}))
    assert _counts(radio) == {("F", "25-59"): 41, ("M", "25-59"): 35, ("M", "unknown"): 7}
    row = text(client.get(reverse("delivery:session_list"))).split("Émission radio")[1]
    assert '<td class="num">83</td>' in row.split("</tr>")[0]


def test_negative_or_malformed_count_is_refused_and_nothing_written(world, login):
    client = login(world.assistant_a)
    url = reverse("delivery:reach_edit", args=[world.session_p.pk])
    client.post(url, _grid({"F_25-59": "10"}))

    response = client.post(url, _grid({"F_25-59": "-3", "M_25-59": "20"}))
    assert response.status_code == 200
    assert "A number of people cannot be negative: enter 0 or more." in text(response)
    response = client.post(url, _grid({"F_25-59": "douze", "M_60+": "999999999999"}))
    page = text(response)
    assert "Enter a whole number of people." in page
    assert "More than 10000000 people in one cell: check it." in page

    assert _counts(world.session_p) == {("F", "25-59"): 10}


def test_reach_in_a_locked_period_is_refused_and_nothing_written(world, login, lock_first_quarter):
    client = login(world.assistant_a)
    url = reverse("delivery:reach_edit", args=[world.session_p.pk])
    client.post(url, _grid({"F_25-59": "10"}))
    lock_first_quarter()

    assert "This record is dated in a locked reporting period" in text(client.get(url))
    response = client.post(url, _grid({"F_25-59": "99"}))

    assert response.status_code == 200
    assert "The reporting period containing 10/02/2026 is locked" in text(response)
    assert _counts(world.session_p) == {("F", "25-59"): 10}


def test_focal_point_sets_reach_of_their_sessions_only(world, login):
    client = login(world.partner_p)
    response = client.post(
        reverse("delivery:reach_edit", args=[world.session_q.pk]), _grid({"F_25-59": "5"})
    )
    assert response.status_code == 404
    response = client.post(
        reverse("delivery:reach_edit", args=[world.session_p.pk]), _grid({"F_25-59": "5"})
    )
    assert response.status_code == 302
    assert not ReachCount.objects.filter(session=world.session_q).exists()
    assert _counts(world.session_p) == {("F", "25-59"): 5}
