"""Duplicates caught when a partner's list is imported: warned at the preview, queued once
imported, and never added twice."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.imports.models import ImportBatch, ImportRowMatch
from suivi.registry.models import DuplicateCandidate, Person
from tests import helpers
from tests.imports import files
from tests.imports.pages import mapping_post, run_to_preview, text, upload

HEADER = ["Nom", "Prénom(s)", "Sexe", "Date de naissance", "Statut", "Région", "Cercle", "Commune"]
QUEUE = reverse("registry:duplicate_list")


@pytest.fixture
def commune(places):
    return helpers.create_area("ML040101", "Pelengana", 3, parent=places["segou_cercle"])


@pytest.fixture
def mamadou(world, commune):
    """Mamadou Traoré, registered by partner Q in the commune of Pelengana."""
    return helpers.create_person(
        world.pa,
        partner=world.q,
        family_name="Traoré",
        given_name="Mamadou",
        sex="M",
        birth_date=datetime.date(1990, 3, 14),
        area=commune,
    )


def _row(family, given, sex, born, group="Réfugié"):
    return [family, given, sex, born, group, "Ségou", "Ségou", "Pelengana"]


def _list_of_partner_p() -> bytes:
    """Partner P's list: Mamadou Traoré again, written Mahamadou Trawore and born "vers 1990",
    and someone new."""
    return files.simple_workbook(
        [
            _row("TRAWORE", "Mahamadou", "H", "vers 1990"),
            _row("Sangaré", "Aïssata", "F", "01/02/2012"),
        ],
        header=HEADER,
    )


def _french(client, url):
    return text(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))


def test_re_registration_is_warned_at_preview_then_queued_with_its_reasons(
    world, login, settings, mamadou
):
    settings.LANGUAGE_CODE = "fr"
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, _list_of_partner_p(), partner=world.p)
    assert batch.status == ImportBatch.Status.VALIDATED
    assert (batch.accepted_rows, batch.rejected_rows) == (2, 0)  # warned, not refused
    assert (batch.registered_like_rows, batch.repeated_rows) == (1, 0)

    page = _french(client, reverse("imports:batch_detail", args=[batch.pk]))
    assert "Doublons possibles" in page
    assert "1 ligne ressemble à une personne déjà enregistrée." in page
    assert "TRAWORE Mahamadou · 1990" in page
    assert reverse("registry:person_detail", args=[mamadou.pk]) in page
    assert f"{mamadou.reference} TRAORÉ Mamadou" in page
    assert "nom de famille proche (translittération)" in page
    assert "prénom proche (translittération)" in page
    assert "même zone" in page
    warning = ImportRowMatch.objects.get(batch=batch)
    assert f"{warning.score_percent} %" in page and warning.score_percent >= 90
    assert "Enregistrer 2 personnes" in page  # the user may still import

    # Checking the rows again forgets the earlier warnings.
    client.post(reverse("imports:batch_mapping", args=[batch.pk]), mapping_post(batch))
    assert ImportRowMatch.objects.filter(batch=batch).count() == 1

    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.created_rows == 2
    assert batch.queued_pairs == 1
    new = Person.objects.get(family_name="TRAWORE")
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.person_low, candidate.person_high} == {mamadou, new}
    assert candidate.source == DuplicateCandidate.Source.IMPORT
    assert candidate.score == warning.score and candidate.reasons == warning.reasons
    event = AuditEvent.objects.get(action="duplicates.queue")
    assert event.target_id == str(batch.pk) and event.changes["new"] == 1

    page = _french(client, reverse("imports:batch_detail", args=[batch.pk]))
    assert "1 paire de doublons possibles est partie dans la file de revue." in page
    assert f"{QUEUE}?source=import" in page

    queue = _french(client, f"{QUEUE}?source=import")
    assert "TRAWORE Mahamadou" in queue and "TRAORÉ Mamadou" in queue
    assert "nom de famille proche (translittération)" in queue
    assert "Liste importée" in queue


def test_same_file_imported_twice_adds_no_pair(world, login, mamadou):
    client = login(world.assistant_a)
    content = _list_of_partner_p()
    first = run_to_preview(client, world.pa, content, partner=world.p)
    client.post(reverse("imports:batch_commit", args=[first.pk]))
    assert DuplicateCandidate.objects.count() == 1
    persons = Person.objects.count()

    second = run_to_preview(client, world.pa, content, partner=world.p)
    assert (second.accepted_rows, second.already_imported_rows) == (0, 2)
    assert not ImportRowMatch.objects.filter(batch=second).exists()
    page = text(client.get(reverse("imports:batch_detail", args=[second.pk])))
    assert "Possible duplicates" not in page
    client.post(reverse("imports:batch_commit", args=[second.pk]))
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.VALIDATED  # nothing to import
    assert Person.objects.count() == persons
    assert DuplicateCandidate.objects.count() == 1


def test_row_repeated_in_the_list_is_warned_but_twins_and_father_and_son_are_not(
    world, login, commune
):
    content = files.simple_workbook(
        [
            _row("Sangaré", "Aïssata", "F", "01/02/2012", "Réfugiée"),
            # Twins: the same family name and day of birth, different given names.
            _row("Traoré", "Adama", "M", "02/02/2015"),
            _row("Traoré", "Fousseyni", "M", "02/02/2015"),
            # A father and his son named after him.
            _row("Traoré", "Mamadou", "M", "01/03/1975"),
            _row("Traore", "Mahamadou", "M", "01/06/2001"),
            # Aïssata Sangaré again, further down the list, without accents.
            _row("SANGARE", "Aissata", "F", "01/02/2012", "Réfugiée"),
        ],
        header=HEADER,
    )
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, content, partner=world.p)
    assert batch.accepted_rows == 6
    pairs = [(m.row_number, m.other_row) for m in ImportRowMatch.objects.filter(batch=batch)]
    assert pairs == [(7, 2)]  # rows of the sheet: the header is row 1
    assert (batch.registered_like_rows, batch.repeated_rows) == (0, 2)
    page = text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "2 rows look repeated in the file." in page
    assert "row 2 of the file: SANGARÉ Aïssata · 2012" in page

    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    candidate = DuplicateCandidate.objects.get()
    names = {candidate.person_low.family_name, candidate.person_high.family_name}
    assert names == {"Sangaré", "SANGARE"}


def test_focal_point_is_warned_without_seeing_another_partners_beneficiary(world, login, mamadou):
    client = login(world.partner_p)
    batch = run_to_preview(client, world.pa, _list_of_partner_p(), partner=world.p)
    assert batch.registered_like_rows == 1
    page = text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "a person of the registry you may not see" in page
    assert "Mamadou" not in page
    assert reverse("registry:person_detail", args=[mamadou.pk]) not in page


def test_persons_of_another_organisation_are_not_matched(world, login, commune):
    helpers.create_person(
        world.pb,
        partner=world.p,
        family_name="Sangaré",
        given_name="Aïssata",
        birth_date=datetime.date(2012, 2, 1),
    )
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, _list_of_partner_p(), partner=world.p)
    assert batch.accepted_rows == 2
    assert not ImportRowMatch.objects.filter(batch=batch).exists()


def test_large_list_is_matched_across_its_chunks(world, login, commune, monkeypatch):
    from suivi.imports import services

    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    rows = [_row("Sangaré", "Aïssata", "F", "01/02/2012", "Réfugiée")]
    rows += [_row(f"Famille{k}", f"Prénom{k}", "F", f"01/01/{1960 + k}") for k in range(6)]
    rows += [_row("Sangare", "Aissata", "F", "01/02/2012", "Réfugiée")]
    response = upload(login(world.assistant_a), world.pa, files.simple_workbook(rows, HEADER))
    batch = ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    login(world.assistant_a).post(
        reverse("imports:batch_mapping", args=[batch.pk]), mapping_post(batch)
    )
    batch.refresh_from_db()
    assert batch.accepted_rows == 8
    pairs = [(m.row_number, m.other_row) for m in ImportRowMatch.objects.filter(batch=batch)]
    assert pairs == [(9, 2)]


def test_preview_lists_the_first_possible_duplicates_with_the_total(
    world, login, mamadou, monkeypatch
):
    from suivi.imports import views

    monkeypatch.setattr(views, "MATCHES_SHOWN", 1)
    content = files.simple_workbook(
        [
            _row("TRAWORE", "Mahamadou", "H", "vers 1990"),
            _row("Sangaré", "Aïssata", "F", "01/02/2012", "Réfugiée"),
            _row("SANGARE", "Aissata", "F", "01/02/2012", "Réfugiée"),
        ],
        header=HEADER,
    )
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, content, partner=world.p)
    assert (batch.registered_like_rows, batch.repeated_rows) == (1, 2)
    page = text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "The first 1 of 2 possible duplicates are shown." in page
    assert "TRAWORE Mahamadou" in page and "row 3 of the file" not in page


def test_a_list_that_stops_at_the_region_still_finds_the_person_registered_in_a_commune(
    world, login, settings, mamadou
):
    """Partner lists often give the region or the cercle only: the region of a person's commune
    is not a different place, so the re-registration is warned, with that reason."""
    settings.LANGUAGE_CODE = "fr"
    client = login(world.assistant_a)
    content = files.simple_workbook(
        [["TRAORE", "Mamadou", "H", "1990", "Réfugié", "Ségou", "", ""]], header=HEADER
    )
    batch = run_to_preview(client, world.pa, content, partner=world.p)
    assert batch.registered_like_rows == 1
    warning = ImportRowMatch.objects.get(batch=batch)
    assert warning.person_id == mamadou.pk
    assert "area:within" in warning.reasons
    page = _french(client, reverse("imports:batch_detail", args=[batch.pk]))
    assert "même zone (une fiche plus précise)" in page
