"""Area pages: searching without accents, filtering, and an area with its children and sites."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from suivi.places.models import Area
from tests import helpers

LIST = reverse("places:area_list")


def text(response) -> str:
    return html.unescape(response.content.decode())


def pcodes(response) -> list[str]:
    return [area.pcode for area in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("segou", ["ML04", "ML0406"]),
        ("SÉGOU", ["ML04", "ML0406"]),
        ("menaka", ["ML10", "ML1001"]),
        ("nbeiket", ["MR017"]),
        ("n'beiket lehwach", ["MR017"]),
        ("gourma rharous", ["ML0603"]),
        ("timbuktu", ["ML06", "ML0605"]),
        ("nouakchott north", ["MR14"]),
        ("ML04", ["ML04", "ML0401", "ML0402", "ML0403", "ML0404", "ML0405", "ML0406", "ML0407"]),
        ("mr01", ["MR01", "MR011", "MR012", "MR013", "MR014", "MR015", "MR016", "MR017", "MR018"]),
    ],
)
def test_search_finds_areas_whatever_the_accents_language_or_pcode(
    areas, world, login, query, expected
):
    response = login(world.assistant_a).get(LIST, {"q": query})

    assert response.status_code == 200
    assert pcodes(response) == expected


def test_list_filters_by_country_and_level_and_shows_the_parent(areas, world, login):
    response = login(world.partner_p).get(LIST, {"country": "MR", "level": "2"})

    assert response.status_code == 200
    assert len(pcodes(response)) == 50  # 63 moughataas, 50 rows per page
    assert response.context["page"].paginator.count == 63
    page = text(response)
    assert "Néma" in page and "Hodh Ech Chargui" in page
    assert "Ségou" not in page


def test_an_unknown_filter_value_is_ignored(areas, world, login):
    response = login(world.donor_a).get(LIST, {"level": "nine", "country": "XX"})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 143


def test_areas_page_asks_to_log_in_first(areas, client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_area_shows_its_parents_children_and_the_sites_within(areas, world, login):
    gao = Area.objects.get(pcode="ML07")
    ansongo = Area.objects.get(pcode="ML0701")
    helpers.create_site("École de Ansongo", area=ansongo)
    helpers.create_site("Bureau de Gao", kind="office", area=gao)
    helpers.create_site("École de Kidal", area=Area.objects.get(pcode="ML0802"))

    response = login(world.partner_p).get(reverse("places:area_detail", args=[gao.pk]))

    assert response.status_code == 200
    page = text(response)
    assert "Mali" in page  # the country above
    for child in ("Ansongo", "Bourem", "ML0703"):
        assert child in page
    assert "École de Ansongo" in page and "Bureau de Gao" in page
    assert "École de Kidal" not in page
    assert [c.pcode for c in response.context["children"]] == ["ML0701", "ML0702", "ML0703"]
    assert [c.site_count for c in response.context["children"]] == [1, 0, 0]


def test_area_of_the_world_fixture_has_a_page_for_every_persona(world, client):
    area = helpers.create_area()
    for persona in ("manager_a", "partner_p", "donor_a", "outsider_b"):
        client.force_login(getattr(world, persona))
        response = client.get(reverse("places:area_detail", args=[area.pk]))
        assert response.status_code == 200, persona
        assert "Gao" in text(response)


def test_unknown_area_is_404(areas, world, login):
    response = login(world.manager_a).get(reverse("places:area_detail", args=[999999]))

    assert response.status_code == 404


def test_english_and_french_pages_name_areas_in_their_language(areas, world, login):
    client = login(world.manager_a)
    timbuktu = Area.objects.get(pcode="ML0605")
    url = reverse("places:area_detail", args=[timbuktu.pk])

    english = text(client.get(url))
    client.cookies["django_language"] = "fr"
    french = text(client.get(url))

    assert "<h1>Timbuktu" in english
    assert "<h1>Tombouctou" in french
