"""Site pages: who may add a site, duplicates, coordinates, and finding sites."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.places.models import Area, Site
from tests import helpers

CREATE = reverse("places:site_create")
LIST = reverse("places:site_list")


def text(response) -> str:
    return html.unescape(response.content.decode())


def site_post(place: Area, **changes) -> dict:
    data = {"name": "École fondamentale de Bara", "kind": "school", "area": place.pk}
    data.update({"latitude": "", "longitude": ""})
    data.update(changes)
    return data


@pytest.fixture
def ansongo(areas) -> Area:
    return Area.objects.get(pcode="ML0701")


@pytest.mark.parametrize("persona", ["admin_a", "manager_a", "me_a", "assistant_a", "outsider_b"])
def test_staff_of_any_organisation_add_a_site(world, login, ansongo, persona):
    user = getattr(world, persona)
    client = login(user)

    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, site_post(ansongo, latitude="15.6597", longitude="0.5022"))

    site = Site.objects.get(name="École fondamentale de Bara")
    assert response.status_code == 302
    assert response["Location"] == reverse("places:area_detail", args=[ansongo.pk])
    assert (site.kind, site.area, site.latitude, site.longitude) == (
        "school",
        ansongo,
        Decimal("15.659700"),
        Decimal("0.502200"),
    )
    event = AuditEvent.objects.get(action="site.create", target_id=str(site.pk))
    assert event.actor == user


@pytest.mark.parametrize("persona", ["partner_p", "donor_a"])
def test_partners_and_donors_may_not_add_sites(world, login, ansongo, persona):
    client = login(getattr(world, persona))

    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, site_post(ansongo)).status_code == 403
    assert not Site.objects.exists()
    assert "Add a site" not in text(client.get(LIST))


def test_a_user_without_membership_may_not_add_sites(db, client, ansongo):
    client.force_login(helpers.create_user("nobody@example.test"))

    assert client.get(CREATE).status_code == 403


@pytest.mark.parametrize(
    "typed", ["École de Bara", "ecole de bara", "ECOLE  DE  BARA", "Ecole-de Bara"]
)
def test_the_same_name_twice_in_an_area_is_refused_with_a_clear_message(
    world, login, ansongo, typed
):
    helpers.create_site("École de Bara", area=ansongo)
    client = login(world.assistant_a)

    response = client.post(CREATE, site_post(ansongo, name=typed))

    assert response.status_code == 200
    assert Site.objects.count() == 1
    errors = response.context["form"].errors["name"]
    assert errors == [
        "Ansongo already has a site named “École de Bara”: choose it where you need it, or give "
        "this site another name."
    ]
    assert "already has a site named" in text(response)


def test_the_same_name_in_another_area_is_accepted(world, login, ansongo):
    helpers.create_site("École de Bara", area=Area.objects.get(pcode="ML0702"))

    response = login(world.assistant_a).post(CREATE, site_post(ansongo, name="École de Bara"))

    assert response.status_code == 302
    assert Site.objects.filter(name="École de Bara").count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"latitude": "15.6"},
            "longitude",
            "Give both the latitude and the longitude, or neither.",
        ),
        ({"longitude": "0.5"}, "latitude", "Give both the latitude and the longitude, or neither."),
        (
            {"latitude": "95", "longitude": "0.5"},
            "latitude",
            "A latitude lies between -90 and 90 degrees.",
        ),
        (
            {"latitude": "15", "longitude": "-181"},
            "longitude",
            "A longitude lies between -180 and 180 degrees.",
        ),
        ({"name": "  "}, "name", "This field is required."),
        ({"kind": "palace"}, "kind", None),
        ({"area": "999999"}, "area", None),
    ],
)
def test_bad_input_is_refused_on_its_field(world, login, ansongo, changes, field, message):
    response = login(world.me_a).post(CREATE, site_post(ansongo, **changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert not Site.objects.exists()


def test_gps_coordinates_with_many_decimals_are_rounded_not_refused(world, login, ansongo):
    data = site_post(ansongo, latitude="15.65971234567", longitude="-0.50224999999")

    response = login(world.assistant_a).post(CREATE, data)

    assert response.status_code == 302
    site = Site.objects.get()
    assert (site.latitude, site.longitude) == (Decimal("15.659712"), Decimal("-0.502250"))


def test_add_link_from_an_area_fills_in_the_area(world, login, ansongo):
    response = login(world.assistant_a).get(CREATE, {"area": ansongo.pk})

    assert response.context["form"]["area"].value() == str(ansongo.pk)


def test_site_list_searches_without_accents_and_filters_by_kind_and_area(areas, world, login):
    gao, ansongo, kidal = (Area.objects.get(pcode=p) for p in ("ML07", "ML0701", "ML0802"))
    helpers.create_site("École de Bara", area=ansongo)
    helpers.create_site("Centre de santé de Bara", kind="health_centre", area=ansongo)
    helpers.create_site("Bureau de Gao", kind="office", area=gao)
    helpers.create_site("École d'Anéfis", area=kidal)
    client = login(world.partner_p)

    def names(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return [site.name for site in response.context["page"].object_list]

    assert names(q="ecole") == ["École d'Anéfis", "École de Bara"]
    assert names(q="sante bara") == ["Centre de santé de Bara"]
    assert names(q="d anefis") == ["École d'Anéfis"]
    assert names(kind="school") == ["École d'Anéfis", "École de Bara"]
    assert names(area=gao.pk) == ["Bureau de Gao", "Centre de santé de Bara", "École de Bara"]
    assert names(area=ansongo.pk, kind="health_centre") == ["Centre de santé de Bara"]
    assert names(area=Area.objects.get(pcode="ML").pk, q="ecole") == [
        "École d'Anéfis",
        "École de Bara",
    ]
    assert names(area="not-a-number") == names()
    assert "Ansongo" in text(client.get(LIST, {"q": "bara"}))
