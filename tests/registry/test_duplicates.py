"""Possible duplicates: the registry scan, the review queue, merging and undoing a merge."""

from __future__ import annotations

import datetime

from django.core.management import call_command
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.delivery import services as delivery_services
from suivi.delivery.models import Attendance, Distribution
from suivi.registry import services
from suivi.registry.models import DuplicateCandidate, ExternalId, Person, PersonMerge
from tests import helpers
from tests.registry.pages import text

QUEUE = reverse("registry:duplicate_list")


def _re_registration(world, partner=None, **data):
    """Awa Coulibaly registered again by partner Q, written Kulibali, born the same year."""
    values = {
        "family_name": "KULIBALI",
        "given_name": "Awa",
        "birth_date": datetime.date(2010, 1, 1),
        "birth_date_estimated": True,
    }
    values.update(data)
    return helpers.create_person(world.pa, partner=partner or world.q, **values)


def test_scan_queues_a_transliterated_re_registration_once(world):
    twin = _re_registration(world)
    figures = services.duplicates_scan(organisation=world.a, by=None)
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.person_low, candidate.person_high} == {world.person_p, twin}
    assert candidate.source == "scan"
    assert "family name alike (transliteration)" in candidate.reason_labels
    assert "same given name" in candidate.reason_labels
    assert figures["new"] == 1
    # Scanning again changes nothing.
    assert services.duplicates_scan(organisation=world.a, by=None)["new"] == 0
    assert DuplicateCandidate.objects.count() == 1
    assert AuditEvent.objects.filter(action="duplicates.scan").count() == 2


def test_scan_does_not_propose_a_rejected_pair_again(world, login):
    _re_registration(world)
    services.duplicates_scan(organisation=world.a, by=None)
    candidate = DuplicateCandidate.objects.get()
    response = login(world.assistant_a).post(
        reverse("registry:duplicate_reject", args=[candidate.pk])
    )
    assert response.status_code == 302
    services.duplicates_scan(organisation=world.a, by=None)
    candidate.refresh_from_db()
    assert candidate.status == "rejected"
    assert candidate.reviewed_by == world.assistant_a


def test_father_and_son_of_the_same_name_and_twins_are_not_queued(world):
    father = helpers.create_person(
        world.pa,
        family_name="Traoré",
        given_name="Mamadou",
        sex="M",
        birth_date=datetime.date(1975, 3, 1),
    )
    son = helpers.create_person(
        world.pa,
        family_name="Traore",
        given_name="Mahamadou",
        sex="M",
        birth_date=datetime.date(2001, 6, 1),
    )
    household = services.household_create(
        organisation=world.a, by=None, data={"code": "MEN-1"}, members=[father, son]
    )
    for given in ("Adama", "Fousseyni"):
        twin = helpers.create_person(
            world.pa,
            family_name="Traoré",
            given_name=given,
            sex="M",
            birth_date=datetime.date(2015, 2, 2),
        )
        services.household_member_add(household=household, person=twin, by=None)
    services.duplicates_scan(organisation=world.a, by=None)
    assert not DuplicateCandidate.objects.exists()


def test_queue_lists_pairs_by_score_with_reasons_in_french(world, login, settings):
    settings.LANGUAGE_CODE = "fr"
    _re_registration(world)
    services.duplicates_scan(organisation=world.a, by=None)
    client = login(world.assistant_a)
    page = text(client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Doublons possibles" in page
    assert "nom de famille proche (translittération)" in page
    assert "KULIBALI" in page


def test_partner_does_not_see_pairs_involving_another_partners_beneficiary(world, login):
    _re_registration(world)  # registered by Q
    services.duplicates_scan(organisation=world.a, by=None)
    candidate = DuplicateCandidate.objects.get()
    client = login(world.partner_p)
    assert "KULIBALI" not in text(client.get(QUEUE))
    assert client.get(reverse("registry:duplicate_detail", args=[candidate.pk])).status_code == 404
    assert (
        login(world.outsider_b)
        .get(reverse("registry:duplicate_detail", args=[candidate.pk]))
        .status_code
        == 404
    )


def test_merge_moves_the_histories_and_undo_puts_them_back(world, login):
    twin = _re_registration(world)
    ExternalId.objects.create(person=twin, scheme="progres", value="MLI-777")
    # Both are present at the same session: one attendance stays, the other is kept for undo.
    delivery_services.attendance_record(session=world.session_p, persons=[world.person_p], by=None)
    session_q = world.session_q
    delivery_services.attendance_record(session=session_q, persons=[twin], by=None)
    delivery_services.attendance_record(session=world.session_p, persons=[twin], by=None)
    distribution = helpers.create_distribution(world.pa, twin, partner=world.q)
    services.duplicates_scan(organisation=world.a, by=None)
    candidate = DuplicateCandidate.objects.get()
    client = login(world.assistant_a)
    detail = reverse("registry:duplicate_detail", args=[candidate.pk])
    page = text(client.get(detail))
    assert "KULIBALI" in page and "COULIBALY" in page

    response = client.post(
        reverse("registry:duplicate_merge", args=[candidate.pk]), {"survivor": world.person_p.pk}
    )
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into == world.person_p
    person = world.person_p
    # Both registrations in PA-EDU: the survivor's is kept.
    assert person.registrations.count() == 1
    assert set(Attendance.objects.filter(person=person).values_list("session", flat=True)) == {
        world.session_p.pk,
        session_q.pk,
    }
    assert Distribution.objects.get(pk=distribution.pk).person == person
    assert person.external_ids.filter(value="MLI-777").exists()
    assert not Person.objects.visible_to(world.assistant_a).filter(pk=twin.pk).exists()
    assert client.get(reverse("registry:person_detail", args=[twin.pk])).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == "confirmed"
    assert AuditEvent.objects.filter(action="person.merge", actor=world.assistant_a).exists()

    merge = PersonMerge.objects.get()
    assert "Undo the merge" in text(client.get(detail))
    response = client.post(reverse("registry:merge_undo", args=[merge.pk]))
    assert response.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into is None
    assert twin.registrations.count() == 1
    assert set(Attendance.objects.filter(person=twin).values_list("session", flat=True)) == {
        world.session_p.pk,
        session_q.pk,
    }
    assert Attendance.objects.filter(person=person).count() == 1
    assert Distribution.objects.get(pk=distribution.pk).person == twin
    assert twin.external_ids.filter(value="MLI-777").exists()
    candidate.refresh_from_db()
    assert candidate.status == "open"
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert AuditEvent.objects.filter(action="person.merge_undo").exists()


def test_who_does_not_see_both_persons_cannot_merge_them(world, login):
    _re_registration(world)
    services.duplicates_scan(organisation=world.a, by=None)
    candidate = DuplicateCandidate.objects.get()
    for persona in (world.partner_p, world.donor_a, world.outsider_b):
        response = login(persona).post(
            reverse("registry:duplicate_merge", args=[candidate.pk]),
            {"survivor": world.person_p.pk},
        )
        assert response.status_code == 404
    assert not PersonMerge.objects.exists()


def test_duplicates_scan_command_prints_its_figures(world, capsys):
    _re_registration(world)
    call_command("duplicates_scan", organisation=world.a.acronym)
    out = capsys.readouterr().out
    assert "1 likely pairs, 1 new in the queue" in out
    call_command("duplicates_scan")
    assert "0 new in the queue" in capsys.readouterr().out


def test_pairs_queued_by_an_import_are_filtered_by_how_they_were_found(world, login, settings):
    settings.LANGUAGE_CODE = "fr"
    twin = _re_registration(world)
    scored = [(twin.pk, world.person_p.pk, 0.97, ["family:phonetic", "given:exact"])]
    new = services.duplicates_queue(
        organisation=world.a, by=None, pairs=scored, source="import", target=world.pa
    )
    assert new == 1
    # The same pair again is not added twice.
    assert (
        services.duplicates_queue(
            organisation=world.a, by=None, pairs=scored, source="import", target=world.pa
        )
        == 0
    )
    client = login(world.assistant_a)
    page = text(client.get(f"{QUEUE}?source=import", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "KULIBALI" in page and "Liste importée" in page and "97 %" in page
    assert "nom de famille proche (translittération), même prénom" in page
    assert "KULIBALI" not in text(client.get(f"{QUEUE}?source=scan", HTTP_ACCEPT_LANGUAGE="fr"))
    assert DuplicateCandidate.objects.get().source == "import"
