"""Importing a partner's list through the pages: upload, map, check, preview, commit."""

from __future__ import annotations

import datetime
import io
import os

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from suivi.audit.models import AuditEvent
from suivi.imports.models import ImportBatch, ImportedRow, ImportRowError
from suivi.lib import bulk
from suivi.registry.models import Person, Registration, SpecificNeed
from tests.imports import files
from tests.imports.pages import mapping_post, run_to_preview, text, upload

Status = ImportBatch.Status


def _new_persons(world):
    return Person.objects.exclude(pk__in=[world.person_p.pk, world.person_q.pk, world.person_b.pk])


def test_assistant_imports_a_messy_french_workbook(world, login, places):
    client = login(world.assistant_a)
    response = upload(client, world.pa, files.messy_workbook(), partner=world.p)
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:batch_detail", args=[batch.pk])
    assert batch.sheets == ["Bénéficiaires", "Notes"]
    assert batch.sheet == "Bénéficiaires"
    assert batch.header_row == 4
    assert batch.headers[10] == "Remarque" and batch.hidden_columns == [10]
    assert batch.mapping_by_index == {
        1: "family_name",
        2: "given_name",
        3: "sex",
        4: "birth_date",
        5: "age",
        6: "phone",
        7: "region",
        8: "cercle",
        9: "population_group",
        11: "progres",
    }
    page = text(client.get(response["Location"]))
    assert "Remarque (hidden column)" in page
    assert AuditEvent.objects.filter(action="import.upload", target_id=str(batch.pk)).exists()

    response = client.post(reverse("imports:batch_mapping", args=[batch.pk]), mapping_post(batch))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED
    assert (batch.total_rows, batch.accepted_rows, batch.rejected_rows) == (6, 4, 2)
    assert batch.ignored == [[12, "total"]]
    assert _new_persons(world).count() == 0  # nothing lands before the commit

    preview = text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    assert "Row 12 ignored: total row." in preview
    assert "“X” is not a sex" in preview
    assert "“Atlantis” is not a known place" in preview
    assert "is in the future" in preview
    errors = {e.row_number: [c for c, _m in e.errors] for e in ImportRowError.objects.all()}
    assert errors == {9: ["Sexe"], 10: ["Date de naissance", "Région"]}

    response = client.post(reverse("imports:batch_commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTED and batch.created_rows == 4
    persons = {p.family_name: p for p in _new_persons(world)}
    assert set(persons) == {"Traoré", "Maïga", "Cissé", "Koné"}
    traore = persons["Traoré"]
    assert (traore.given_name, traore.sex, traore.population_group) == ("Aminata", "F", "refugee")
    assert traore.birth_date == datetime.date(2009, 3, 12) and not traore.birth_date_estimated
    assert traore.phone == "+22376123456"
    assert traore.area == places["segou_cercle"]
    assert traore.external_ids.get().value == "ML-26-000101"
    maiga = persons["Maïga"]
    assert (maiga.sex, maiga.population_group, maiga.phone) == ("M", "idp", "+22376123457")
    assert maiga.birth_date == datetime.date(2008, 7, 1) and maiga.birth_date_estimated
    assert maiga.area == places["tombouctou"]
    assert persons["Cissé"].birth_date == datetime.date(2011, 3, 12)
    kone = persons["Koné"]
    today = timezone.localdate()
    assert kone.birth_date == min(datetime.date(today.year - 15, 7, 1), today)
    assert kone.birth_date_estimated and kone.population_group == "host"
    assert kone.area == places["gao"]
    registrations = Registration.objects.filter(person__in=persons.values())
    assert {(r.project_id, r.partner_id) for r in registrations} == {(world.pa.pk, world.p.pk)}
    assert ImportedRow.objects.filter(batch=batch).count() == 4
    event = AuditEvent.objects.get(action="import.commit", target_id=str(batch.pk))
    assert event.actor == world.assistant_a and event.changes["persons_created"] == 4
    # One audit event for the persons of the import, not one per row.
    assert not AuditEvent.objects.filter(action="person.register", actor=world.assistant_a)
    bulk_event = AuditEvent.objects.get(action="person.register_bulk", actor=world.assistant_a)
    assert bulk_event.target_id == str(batch.pk) and bulk_event.changes["persons_created"] == 4


def test_error_report_holds_rejected_rows_with_an_error_column_and_no_formula(world, login, places):
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, files.messy_workbook(), partner=world.p)
    response = client.get(reverse("imports:batch_errors", args=[batch.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Erreur / Error"
    assert rows[0][1:-1] == tuple(batch.headers)
    assert [r[0] for r in rows[1:]] == [9, 10]
    diarra, keita = rows[1], rows[2]
    assert diarra[3] == "'-Moussa" and diarra[11] == "'=cmd"
    assert keita[3] == "'@Sali"
    assert "Sexe" in diarra[-1] and "X" in diarra[-1]
    assert "Région" in keita[-1] and "Atlantis" in keita[-1]
    for row in rows:
        for cell in row:
            assert not (isinstance(cell, str) and cell[:1] in "=+-@"), cell


def test_same_file_imported_twice_adds_nothing(world, login, places):
    client = login(world.assistant_a)
    content = files.messy_workbook()
    first = run_to_preview(client, world.pa, content, partner=world.p)
    client.post(reverse("imports:batch_commit", args=[first.pk]))
    count = Person.objects.count()

    second = run_to_preview(client, world.pa, content, partner=world.p)
    assert second.file_sha256 == first.file_sha256
    assert (second.accepted_rows, second.already_imported_rows) == (0, 4)
    response = client.post(reverse("imports:batch_commit", args=[second.pk]))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.VALIDATED  # nothing to import: refused with a message
    assert Person.objects.count() == count


def test_cp1252_csv_with_semicolons_and_mojibake_is_imported(world, login, places):
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, files.cp1252_csv(), name="liste.csv")
    assert batch.kind == "csv" and batch.headers[1] == "Prénom"
    assert (batch.accepted_rows, batch.rejected_rows) == (3, 0)
    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    names = set(_new_persons(world).values_list("family_name", "given_name", "population_group"))
    assert names == {
        ("Sangaré", "Aïssata", "refugee"),
        ("Traoré", "Ibrahim", "returnee"),
        ("Dembélé", "Mariam", "migrant"),
    }
    dembele = Person.objects.get(family_name="Dembélé")
    assert dembele.area == places["tombouctou"]  # "Timbuktu"
    assert dembele.birth_date == datetime.date(2001, 7, 1) and dembele.birth_date_estimated
    assert Registration.objects.get(person=dembele).partner is None


def test_focal_point_imports_only_for_their_own_partner(world, login, places):
    client = login(world.partner_p)
    form = text(client.get(reverse("imports:batch_create")))
    assert 'name="partner"' not in form
    response = upload(client, world.pa, files.messy_workbook(), partner=world.q)
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.partner == world.p  # forced, whatever was posted


def test_focal_point_cannot_reach_an_import_of_partner_q(world, login, places):
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, files.messy_workbook(), partner=world.q)
    client = login(world.partner_p)
    for name in ["batch_detail", "batch_errors", "batch_progress"]:
        assert client.get(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:batch_commit", args=[batch.pk])).status_code == 404
    assert "liste.xlsx" not in text(client.get(reverse("imports:batch_list")))
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED


@pytest.mark.parametrize("name", ["batch_detail", "batch_errors", "batch_progress"])
def test_outsider_gets_404_on_a_batch(world, login, places, name):
    batch = run_to_preview(login(world.assistant_a), world.pa, files.messy_workbook())
    client = login(world.outsider_b)
    assert client.get(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
    for action in ["batch_commit", "batch_cancel", "batch_mapping"]:
        assert client.post(reverse(f"imports:{action}", args=[batch.pk])).status_code == 404


def test_donor_viewer_cannot_import(world, login):
    client = login(world.donor_a)
    assert client.get(reverse("imports:batch_create")).status_code == 403


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "vide.xlsx", "The submitted file is empty"),
        (b"\n\n ;;\n", "vide.csv", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "photo.xlsx", "not a spreadsheet"),
        (files.encrypted_office_file(), "protege.xlsx", "protected by a password"),
        (files.legacy_xls(), "ancien.xls", "old Excel file (.xls)"),
        (b"PK\x03\x04 broken zip", "casse.xlsx", "could not be read as an Excel workbook"),
        (b"Liste\nrien\n", "notes.csv", "No header row was found"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_written(
    world, login, settings, content, name, message
):
    client = login(world.assistant_a)
    events = AuditEvent.objects.count()
    response = upload(client, world.pa, content, name=name)
    assert response.status_code == 200
    assert message in text(response)
    assert ImportBatch.objects.count() == 0
    assert AuditEvent.objects.count() == events
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_file_over_the_size_limit_is_refused(world, login, settings):
    settings.SUIVI_MAX_UPLOAD_BYTES = 1024
    client = login(world.assistant_a)
    response = upload(client, world.pa, files.messy_workbook())
    assert response.status_code == 200
    assert "The file is too large" in text(response)
    assert ImportBatch.objects.count() == 0


def test_mapping_a_field_twice_or_missing_a_required_one_is_refused(world, login, places):
    client = login(world.assistant_a)
    upload(client, world.pa, files.messy_workbook())
    batch = ImportBatch.objects.get()
    url = reverse("imports:batch_mapping", args=[batch.pk])
    response = client.post(url, mapping_post(batch, **{"Remarque": "family_name"}))
    page = text(response)
    assert response.status_code == 200
    assert "Family name is fed by several columns (Nom, Remarque)" in page
    response = client.post(url, mapping_post(batch, **{"Statut": ""}))
    assert "No column feeds Population group, which is required" in text(response)
    batch.refresh_from_db()
    assert batch.status == Status.UPLOADED


def test_saved_mapping_is_offered_on_the_partners_next_list(world, login, places):
    client = login(world.assistant_a)
    upload(client, world.pa, files.messy_workbook(), partner=world.p)
    first = ImportBatch.objects.get()
    client.post(
        reverse("imports:batch_mapping", args=[first.pk]),
        mapping_post(first, **{"Remarque": "village", "N° proGres": ""}),
    )
    upload(client, world.pa, files.messy_workbook({5: files.ROWS[5]}), partner=world.p)
    second = ImportBatch.objects.latest("pk")
    assert second.mapping_by_index[10] == "village"
    assert 11 not in second.mapping_by_index
    upload(client, world.pa, files.messy_workbook({5: files.ROWS[5]}), partner=world.q)
    other_partner = ImportBatch.objects.latest("pk")
    assert 10 not in other_partner.mapping_by_index
    assert other_partner.mapping_by_index[11] == "progres"


def test_workbook_with_several_sheets_asks_which_one(world, login):
    client = login(world.assistant_a)
    content = files.simple_workbook([["Sy", "Awa", "F", "Réfugié", ""]], sheets=2)
    upload(client, world.pa, content)
    batch = ImportBatch.objects.get()
    assert batch.sheets == ["Liste", "Feuille 2"] and batch.sheet == "Liste"
    assert 'name="sheet"' in text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    response = client.post(reverse("imports:batch_sheet", args=[batch.pk]), {"sheet": "Feuille 2"})
    assert "The sheet Feuille 2 is empty" in text(response)
    client.post(reverse("imports:batch_sheet", args=[batch.pk]), {"sheet": "Liste"})
    batch.refresh_from_db()
    assert (
        batch.headers[:2] == ["Nom", "Prénom"] and batch.mapping_by_index[3] == "population_group"
    )


def test_cancelling_leaves_nothing_behind(world, login, places, django_capture_on_commit_callbacks):
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, files.messy_workbook())
    path = batch.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:batch_cancel", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.CANCELLED and not batch.file
    assert not ImportRowError.objects.exists()
    assert not os.path.exists(path)
    assert _new_persons(world).count() == 0
    assert AuditEvent.objects.filter(action="import.cancel", target_id=str(batch.pk)).exists()
    assert client.post(reverse("imports:batch_commit", args=[batch.pk])).status_code == 302
    assert _new_persons(world).count() == 0


def test_disability_column_needs_the_specific_need_and_then_records_it(world, login, places):
    client = login(world.assistant_a)
    rows = {5: files.ROWS[5][:10] + ["Oui", None], 7: files.ROWS[7][:10] + ["Non", None]}
    upload(client, world.pa, files.messy_workbook(rows))
    batch = ImportBatch.objects.get()
    url = reverse("imports:batch_mapping", args=[batch.pk])
    response = client.post(url, mapping_post(batch, **{"Remarque": "disability"}))
    assert "the specific need DS is not defined" in text(response)

    SpecificNeed.objects.create(code="DS", name_fr="Handicap", name_en="Disability")
    response = client.post(url, mapping_post(batch, **{"Remarque": "disability"}))
    assert response.status_code == 302
    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    assert list(Person.objects.get(family_name="Traoré").specific_needs.values_list("code")) == [
        ("DS",)
    ]
    assert not Person.objects.get(family_name="Maïga").specific_needs.exists()


def test_list_longer_than_a_batch_lands_whole_with_its_keys(world, login, places, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_ROWS", 2)  # four accepted rows: two batches
    SpecificNeed.objects.create(code="DS", name_fr="Handicap", name_en="Disability")
    client = login(world.assistant_a)
    rows = dict(files.ROWS)
    rows[5] = files.ROWS[5][:10] + ["Oui", "ML-26-000101"]
    rows[11] = files.ROWS[11][:10] + ["Non", "ML-26-000111"]
    upload(client, world.pa, files.messy_workbook(rows), partner=world.p)
    batch = ImportBatch.objects.get()
    client.post(
        reverse("imports:batch_mapping", args=[batch.pk]),
        mapping_post(batch, **{"Remarque": "disability"}),
    )
    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTED and batch.created_rows == 4
    keys = {k.row_number: k.person for k in ImportedRow.objects.filter(batch=batch)}
    assert sorted(keys) == [5, 7, 8, 11]
    assert [keys[n].family_name for n in (5, 7, 8, 11)] == ["Traoré", "Maïga", "Cissé", "Koné"]
    assert keys[5].external_ids.get().value == "ML-26-000101"
    assert keys[11].external_ids.get().value == "ML-26-000111"
    assert list(keys[5].specific_needs.values_list("code", flat=True)) == ["DS"]
    assert not keys[11].specific_needs.exists()
    for person in keys.values():
        assert person.created_by == world.assistant_a and person.organisation == world.a
        registration = person.registrations.get()
        assert (registration.project, registration.partner) == (world.pa, world.p)
        assert registration.registered_on == batch.registered_on
    assert AuditEvent.objects.filter(action="person.register_bulk").count() == 1


def test_commit_refused_in_a_later_batch_leaves_nothing_of_the_earlier_ones(
    world, login, places, monkeypatch
):
    monkeypatch.setattr(bulk, "BATCH_ROWS", 2)
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, files.messy_workbook())
    places["gao"].name_fr = places["gao"].name_en = "Ansongo"
    places["gao"].save()  # row 11, in the second batch, no longer resolves
    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.FAILED and "Row 11" in batch.message
    assert _new_persons(world).count() == 0
    assert not Registration.objects.filter(person__family_name="Traoré").exists()
    assert not ImportedRow.objects.exists()


def test_progres_number_repeated_in_the_list_or_already_given_is_refused(world, login, places):
    world.person_q.external_ids.create(scheme="progres", value="ML-26-000999")
    rows = dict(files.ROWS)
    rows[7] = files.ROWS[7][:11] + ["ML-26-000101"]  # the number of row 5 again
    rows[8] = files.ROWS[8][:11] + ["ML-26-000999"]  # the number of a registered person
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, files.messy_workbook(rows))
    errors = {e.row_number: e.errors for e in ImportRowError.objects.filter(batch=batch)}
    assert set(errors) == {7, 8, 9, 10}
    assert errors[7] == [
        ["N° proGres", "The proGres number ML-26-000101 is also on row 5: keep it on one row."]
    ]
    assert errors[8][0][0] == "N° proGres" and "already given to a person" in errors[8][0][1]
    assert (batch.accepted_rows, batch.rejected_rows) == (2, 4)
