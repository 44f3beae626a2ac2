"""Workflows of an import: upload, choose the sheet, map columns, check every row, commit, cancel.

Checking and committing read the stored file again, row by row. Lists under ``INLINE_ROWS`` rows
are processed within the request; larger ones are left ``validating`` or ``committing`` for the
``work`` command, which claims them one at a time (``work_once``, through ``suivi.lib.work``)
and can be stopped and restarted at any moment: a check starts again from the first row, and a
commit is one transaction, so an interrupted commit leaves nothing and is simply run again.
"""

from __future__ import annotations

import array
import contextlib
import datetime
import hashlib
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from suivi.accounts.models import Organisation, User
from suivi.audit import services as audit
from suivi.imports.models import (
    ColumnMapping,
    ImportBatch,
    ImportedRow,
    ImportRowError,
    ImportRowMatch,
)
from suivi.imports.normalise import (
    DISABILITY_NEED,
    KNOWN_HEADERS,
    REQUIRED,
    TARGETS_BY_NAME,
    RowReader,
    suggest,
)
from suivi.lib import bulk, tabular, work
from suivi.lib.tabular import TabularError, fold
from suivi.lib.xlsx import write_xlsx
from suivi.projects.models import Project
from suivi.projects.services import refuse_if_locked
from suivi.registry import matching
from suivi.registry import services as registry
from suivi.registry.models import DuplicateCandidate, ExternalId, Person, SpecificNeed

INLINE_ROWS = 5000
# Rows checked between two writes of the refused rows and of the progress bar (one commit each).
CHUNK_ROWS = 5000
# An accepted row this likely to be a person already registered (or another row) is shown to
# the user and, once imported, sent to the review queue: the bar of a single registration.
DUPLICATE_THRESHOLD = matching.MODEL.registration_threshold
ERROR_COLUMN = "Erreur / Error"
Status = ImportBatch.Status
logger = logging.getLogger(__name__)


class CommitRefused(Exception):
    """A commit that cannot land; the message says why and what to do."""


# --- Upload --------------------------------------------------------------------------------


@transaction.atomic
def batch_upload(
    *,
    by: User,
    project: Project,
    partner: Organisation | None,
    upload,
    registered_on: datetime.date,
) -> ImportBatch:
    """Store an uploaded list after checking it can be read; nothing is stored when it cannot.

    Raises ValidationError on the ``file`` or ``registered_on`` field.
    """
    refuse_if_locked_on_field(project=project, day=registered_on)
    limit = settings.SUIVI_MAX_UPLOAD_BYTES
    try:
        tabular.check_size(upload.size or 0, limit)
    except TabularError as error:
        raise ValidationError({"file": str(error)}) from None
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix[:10]) as tmp:
        for chunk in upload.chunks():
            digest.update(chunk)
            tmp.write(chunk)
        tmp.flush()
        path = Path(tmp.name)
        try:
            kind = tabular.detect_kind(path)
            sheets = tabular.sheet_names(path)
            table = _first_readable_sheet(path, sheets)
        except TabularError as error:
            raise ValidationError({"file": str(error)}) from None
        batch = ImportBatch(
            organisation_id=project.organisation_id,
            project=project,
            partner=partner,
            original_name=Path(upload.name).name[:255],
            file_sha256=digest.hexdigest(),
            file_size=upload.size,
            kind=kind,
            sheets=sheets,
            registered_on=registered_on,
            created_by=by,
        )
        if table is not None:
            _set_table(batch, table)
        tmp.seek(0)
        batch.file.save(f"{batch.file_sha256[:16]}.{kind}", File(tmp), save=False)
    audit.save_new(batch, by=by, action="import.upload")
    return batch


def _first_readable_sheet(path: Path, sheets: list[str]) -> tabular.Table | None:
    """The first (visible) sheet, when it has a header; a workbook whose first sheet has none
    is kept so the user can choose another sheet, a single-sheet file is refused."""
    try:
        table = tabular.open_table(path, None, KNOWN_HEADERS)
    except TabularError:
        if len(sheets) == 1:
            raise
        return None
    table.close()
    return table


def refuse_if_locked_on_field(*, project: Project, day: datetime.date) -> None:
    try:
        refuse_if_locked(project=project, day=day)
    except ValidationError as error:
        raise ValidationError({"registered_on": error.messages}) from None


def _set_table(batch: ImportBatch, table: tabular.Table) -> None:
    batch.sheet = table.sheet
    batch.header_row = table.header_row
    batch.headers = table.header
    batch.hidden_columns = table.hidden_columns
    batch.hidden_sheets = table.hidden_sheets
    batch.progress_total = table.estimated_rows
    batch.mapping = {str(i): t for i, t in mapping_suggestions(batch).items()}


@contextlib.contextmanager
def local_file(batch: ImportBatch) -> Iterator[Path]:
    """A path to the stored file (a temporary copy when the storage is not a local disk)."""
    try:
        yield Path(batch.file.path)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile() as tmp, batch.file.open("rb") as source:
        for chunk in source.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


def open_batch_table(batch: ImportBatch, path: Path) -> tabular.Table:
    return tabular.open_table(path, batch.sheet or None, KNOWN_HEADERS)


@transaction.atomic
def batch_choose_sheet(*, batch: ImportBatch, sheet: str, by: User) -> None:
    """Read the chosen sheet's header; raises ValidationError on ``sheet`` when it has none."""
    _refuse_unless_open(batch)
    batch.sheet = sheet
    try:
        with local_file(batch) as path:
            table = open_batch_table(batch, path)
            table.close()
    except TabularError as error:
        raise ValidationError({"sheet": str(error)}) from None
    _set_table(batch, table)
    batch.status = Status.UPLOADED
    batch.save()


# --- Mapping -------------------------------------------------------------------------------


def mapping_suggestions(batch: ImportBatch) -> dict[int, str]:
    """The field each column most likely feeds: the partner's last choice for that title,
    else the French and English synonyms. A field is suggested for one column only."""
    saved = {
        m.header: m.target
        for m in ColumnMapping.objects.filter(
            organisation_id=batch.organisation_id, partner_id=batch.partner_id
        )
    }
    suggestions: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(batch.headers):
        key = fold(header)
        target = saved[key] if key in saved else suggest(header)
        if target and target not in taken:
            suggestions[index] = target
            taken.add(target)
    return suggestions


def check_mapping(batch: ImportBatch, mapping: dict[int, str]) -> None:
    """Refuse a mapping that feeds a field twice or misses a required field."""
    errors = []
    used: dict[str, list[str]] = {}
    for index, target in mapping.items():
        if target:
            used.setdefault(target, []).append(batch.headers[index])
    for target, columns in used.items():
        if len(columns) > 1:
            errors.append(
                _("%(field)s is fed by several columns (%(columns)s): keep only one of them.")
                % {"field": TARGETS_BY_NAME[target].label, "columns": ", ".join(columns)}
            )
    for target in REQUIRED:
        if target not in used:
            errors.append(
                _("No column feeds %(field)s, which is required: choose the column that holds it.")
                % {"field": TARGETS_BY_NAME[target].label}
            )
    if "disability" in used and not SpecificNeed.objects.filter(code=DISABILITY_NEED).exists():
        errors.append(
            _(
                "The disability column cannot be imported: the specific need %(code)s is not "
                "defined. Leave this column unused, or ask an administrator to add it."
            )
            % {"code": DISABILITY_NEED}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def batch_map(*, batch: ImportBatch, mapping: dict[int, str], by: User) -> None:
    """Save the mapping (and remember it for the partner's next list)."""
    _refuse_unless_open(batch)
    check_mapping(batch, mapping)
    batch.mapping = {str(i): t for i, t in sorted(mapping.items()) if t}
    batch.status = Status.MAPPED
    batch.save(update_fields=["mapping", "status", "updated_at"])
    for index, header in enumerate(batch.headers):
        ColumnMapping.objects.update_or_create(
            organisation_id=batch.organisation_id,
            partner_id=batch.partner_id,
            header=fold(header)[:200],
            defaults={"target": mapping.get(index, "")},
        )


def batch_start_validation(*, batch: ImportBatch) -> None:
    """Check every row now (small lists) or leave the batch to the worker (large ones)."""
    _refuse_unless_open(batch)
    if batch.status not in (Status.MAPPED, Status.VALIDATED, Status.FAILED):
        raise ValidationError(_("Map the columns before checking the rows."))
    batch.status = Status.VALIDATING
    batch.message = ""
    batch.heartbeat_at = None
    batch.progress_done = 0
    batch.save(update_fields=["status", "message", "heartbeat_at", "progress_done", "updated_at"])
    if batch.progress_total < INLINE_ROWS:
        batch_run(batch=batch, language=translation.get_language())


# --- Checking every row --------------------------------------------------------------------


def _row_reader(batch: ImportBatch, header: list[str]) -> RowReader:
    return RowReader(
        header=header,
        mapping=batch.mapping_by_index,
        registered_on=batch.registered_on,
        country=batch.project.organisation.country,
        today=timezone.localdate(),
    )


def _json_cell(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() else value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _imported_rows(batch: ImportBatch) -> set[int]:
    return set(
        ImportedRow.objects.filter(
            organisation_id=batch.organisation_id,
            file_sha256=batch.file_sha256,
            sheet=batch.sheet,
        ).values_list("row_number", flat=True)
    )


def batch_validate(*, batch: ImportBatch) -> None:
    """Check every row and keep the refused ones with their errors, then look for the accepted
    rows that may be persons already registered or repeated in the file (kept as warnings,
    ``ImportRowMatch``). Restartable: a new run forgets what an interrupted one found.

    Rows are checked in chunks of ``CHUNK_ROWS``: the proGres numbers of a chunk are looked up
    in the registry with one query, and the chunk's refused rows are written together.
    """
    ImportRowError.objects.filter(batch=batch).delete()
    ImportRowMatch.objects.filter(batch=batch).delete()
    done_before = _imported_rows(batch)
    seen_progres: dict[str, int] = {}
    counts = {"total": 0, "accepted": 0, "rejected": 0, "already": 0}
    # (row number, cells, errors, proGres number to look up, person's values)
    pending: list[tuple[int, list, list, str, dict]] = []
    # The accepted rows' numbers and what duplicate matching compares of them, held for the
    # whole list (a million rows: compact).
    numbers = array.array("q")
    accepted: list[matching.Record] = []
    shared = matching.Record.interned()

    def flush() -> None:
        wanted = [progres for _n, _c, _e, progres, _d in pending if progres]
        taken = (
            set(
                ExternalId.objects.filter(
                    scheme=ExternalId.Scheme.PROGRES, value__in=wanted
                ).values_list("value", flat=True)
            )
            if wanted
            else set()
        )
        refused = []
        for number, cells, errors, progres, data in pending:
            if progres in taken:
                errors.append(_progres_taken(reader, progres))
            if not errors:
                numbers.append(number)
                accepted.append(_match_values(data, shared))
            if errors:
                refused.append(
                    ImportRowError(
                        batch=batch,
                        row_number=number,
                        cells=[_json_cell(c) for c in cells],
                        errors=[list(e) for e in errors],
                    )
                )
        with transaction.atomic():
            ImportRowError.objects.bulk_create(refused)
            _progress(batch, counts["total"])
        counts["rejected"] += len(refused)
        counts["accepted"] += len(pending) - len(refused)
        pending.clear()

    with local_file(batch) as path:
        table = open_batch_table(batch, path)
        reader = _row_reader(batch, table.header)
        for number, cells in table.rows():
            counts["total"] += 1
            if number in done_before:
                counts["already"] += 1
            else:
                result = reader.read(cells)
                errors = result.errors
                progres = result.progres
                if progres:
                    if progres in seen_progres:
                        errors.append(_progres_repeated(reader, progres, seen_progres[progres]))
                        progres = ""
                    else:
                        seen_progres[progres] = number
                pending.append((number, cells, errors, progres, result.data))
            if counts["total"] % CHUNK_ROWS == 0:
                flush()
        flush()
        ignored = table.ignored
    matching.with_lineage(accepted)
    batch.registered_like_rows, batch.repeated_rows = _find_duplicates(
        batch, numbers, accepted, heartbeat=lambda: _progress(batch, counts["total"])
    )
    batch.total_rows = counts["total"]
    batch.accepted_rows = counts["accepted"]
    batch.rejected_rows = counts["rejected"]
    batch.already_imported_rows = counts["already"]
    batch.ignored = [[n, reason] for n, reason in ignored[:200]]
    batch.progress_done = batch.progress_total = counts["total"]
    batch.status = Status.VALIDATED
    batch.save()


def _match_values(data: dict, shared: Callable) -> matching.Record:
    """What duplicate matching compares of an accepted row (``shared``: ``Record.interned``)."""
    area = data.get("area")
    birth = data.get("birth_date")
    return matching.Record(
        family_name=shared(data.get("family_name") or ""),
        given_name=shared(data.get("given_name") or ""),
        sex=shared(data.get("sex") or ""),
        birth_date=shared(birth) if birth is not None else None,
        birth_date_estimated=bool(data.get("birth_date_estimated")),
        phone=data.get("phone") or "",
        area_id=shared(area.pk) if area is not None else None,
    )


def _shown_name(values: matching.Record) -> str:
    return f"{values.family_name.upper()} {values.given_name}".strip()[:260]


def _find_duplicates(
    batch: ImportBatch,
    numbers: Sequence[int],
    rows: list[matching.Record],
    heartbeat=None,
) -> tuple[int, int]:
    """Keep as warnings the accepted rows that look like persons of the organisation's
    registry or like other rows of the file; returns how many rows look like persons already
    registered, and how many are repeated in the file.

    The whole list is matched at once with the batch scan's model (``matching.link``), so rows
    far apart in the file are compared too; the registry is searched with grouped queries, a
    few hundred keys at a time, and pairs are scored in chunks.
    """
    if not rows:
        return 0, 0
    persons = Person.objects.filter(organisation_id=batch.organisation_id, merged_into__isnull=True)
    links = matching.link(
        rows,
        persons=persons,
        threshold=DUPLICATE_THRESHOLD,
        heartbeat=heartbeat,
    )
    warnings = []
    registered, repeated = set(), set()
    for link in links:
        number, values = numbers[link.row], rows[link.row]
        born = values.birth_date.year if values.birth_date else None
        warning = ImportRowMatch(
            batch=batch,
            row_number=number,
            name=_shown_name(values),
            born=born,
            person_id=link.person_id,
            score=round(link.score, 4),
            reasons=link.reasons,
        )
        if link.other_row is None:
            registered.add(number)
        else:
            other_number, other = numbers[link.other_row], rows[link.other_row]
            warning.other_row = other_number
            warning.other_name = _shown_name(other)
            warning.other_born = other.birth_date.year if other.birth_date else None
            repeated |= {number, other_number}
        warnings.append(warning)
    with transaction.atomic():
        ImportRowMatch.objects.bulk_create(warnings, batch_size=2000)
    return len(registered), len(repeated)


def _progres_repeated(reader: RowReader, value: str, first: int) -> tuple[str, str]:
    return (
        reader.header[reader.columns["progres"]],
        _("The proGres number %(value)s is also on row %(row)s: keep it on one row.")
        % {"value": value, "row": first},
    )


def _progres_taken(reader: RowReader, value: str) -> tuple[str, str]:
    return (
        reader.header[reader.columns["progres"]],
        _(
            "The proGres number %(value)s is already given to a person of the registry: "
            "remove this row, or register that person in the project from their record."
        )
        % {"value": value},
    )


def _progress(batch: ImportBatch, done: int) -> None:
    work.beat(batch, progress_done=done)


# --- Commit --------------------------------------------------------------------------------


def batch_request_commit(*, batch: ImportBatch, by: User) -> None:
    """Import the accepted rows now (small lists) or leave the batch to the worker."""
    if batch.status != Status.VALIDATED:
        raise ValidationError(_("Check the rows before importing them."))
    if not batch.accepted_rows:
        raise ValidationError(_("No row can be imported: correct the file and upload it again."))
    batch.status = Status.COMMITTING
    batch.committed_by = by
    batch.heartbeat_at = None
    batch.progress_done = 0
    batch.progress_total = batch.accepted_rows
    batch.save(
        update_fields=[
            "status",
            "committed_by",
            "heartbeat_at",
            "progress_done",
            "progress_total",
            "updated_at",
        ]
    )
    if batch.accepted_rows < INLINE_ROWS:
        batch_run(batch=batch, language=translation.get_language())


def batch_commit(*, batch: ImportBatch) -> None:
    """Register every accepted row as a person of the project, in one transaction.

    The stored file is read again and every row checked again (a place renamed since the check
    refuses the commit); the persons are written in batches by ``persons_register_bulk``.
    Rows already imported from the same file are skipped, so running it again adds nothing.
    Raises CommitRefused when a row no longer passes the checks or the registry refuses it.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
        if locked is None or locked.status != Status.COMMITTING:
            return  # committed or cancelled meanwhile
        by = batch.committed_by
        skip = set(batch.row_errors.values_list("row_number", flat=True))
        skip |= _imported_rows(batch)
        need = SpecificNeed.objects.filter(code=DISABILITY_NEED).first()

        def accepted_rows(table, reader) -> Iterator[registry.PersonRow]:
            for number, cells in table.rows():
                if number in skip:
                    continue
                result = reader.read(cells)
                if result.errors:
                    column, message = result.errors[0]
                    raise CommitRefused(
                        _(
                            "Row %(row)s no longer passes the checks (%(column)s: %(message)s). "
                            "Check the rows again, then import."
                        )
                        % {"row": number, "column": column, "message": message}
                    )
                yield registry.PersonRow(
                    data=result.data,
                    specific_needs=[need] if result.disability and need else (),
                    external_ids={ExternalId.Scheme.PROGRES: result.progres}
                    if result.progres
                    else None,
                    key=number,
                )

        def keep_keys(rows: list[registry.PersonRow], persons) -> None:
            bulk.insert_values(
                ImportedRow,
                ["organisation_id", "file_sha256", "sheet", "row_number", "batch_id", "person_id"],
                [
                    (batch.organisation_id, batch.file_sha256, batch.sheet, row.key, batch.pk, p.pk)
                    for row, p in zip(rows, persons, strict=True)
                ],
            )

        with local_file(batch) as path:
            table = open_batch_table(batch, path)
            reader = _row_reader(batch, table.header)
            try:
                created = registry.persons_register_bulk(
                    organisation=batch.project.organisation,
                    by=by,
                    rows=accepted_rows(table, reader),
                    project=batch.project,
                    partner=batch.partner,
                    registered_on=batch.registered_on,
                    source=batch,
                    on_batch=keep_keys,
                )
            except ValidationError as error:
                raise CommitRefused(
                    _("The registry refused the rows: %(message)s")
                    % {"message": " ".join(error.messages)}
                ) from None
        batch.created_rows = created
        batch.queued_pairs = _queue_duplicates(batch, by)
        batch.status = Status.COMMITTED
        batch.committed_at = timezone.now()
        batch.progress_done = batch.progress_total
        batch.save()
        audit.record(
            actor=by,
            action="import.commit",
            target=batch,
            changes={
                "persons_created": created,
                "rows_rejected": batch.rejected_rows,
                "pairs_queued": batch.queued_pairs,
            },
        )


def _queue_duplicates(batch: ImportBatch, by: User | None) -> int:
    """Send the pairs the check found to the review queue, now that their rows are persons;
    returns how many pairs are new there. A person of the registry merged since the check is
    left out (the pair would name a record that no longer stands)."""
    found = list(
        batch.row_matches.values_list("row_number", "person_id", "other_row", "score", "reasons")
    )
    if not found:
        return 0
    numbers = sorted({f[0] for f in found} | {f[2] for f in found if f[2] is not None})
    person_of: dict[int, int] = {}
    for part in bulk.batched(numbers, 500):
        person_of.update(
            ImportedRow.objects.filter(
                organisation_id=batch.organisation_id,
                file_sha256=batch.file_sha256,
                sheet=batch.sheet,
                row_number__in=part,
                batch=batch,
            ).values_list("row_number", "person_id")
        )
    others = sorted({f[1] for f in found if f[1] is not None})
    merged: set[int] = set()
    for part in bulk.batched(others, 500):
        merged |= set(
            Person.objects.filter(pk__in=part, merged_into__isnull=False).values_list(
                "pk", flat=True
            )
        )
    pairs = []
    for number, person_id, other_row, score, reasons in found:
        new = person_of.get(number)
        other = person_id if person_id is not None else person_of.get(other_row)
        if new is not None and other is not None and other not in merged:
            pairs.append((new, other, score, reasons))
    return registry.duplicates_queue(
        organisation=batch.project.organisation,
        by=by,
        pairs=pairs,
        source=DuplicateCandidate.Source.IMPORT,
        target=batch,
    )


# --- Running the work ----------------------------------------------------------------------


def batch_run(*, batch: ImportBatch, language: str | None = None) -> None:
    """Do the pending work of a batch (check or commit); a failure is kept on the batch.

    Messages are written in ``language``: the page's language when the work runs within the
    request, else the preferred language of the user who asked for it.
    """
    user = batch.committed_by if batch.status == Status.COMMITTING else batch.created_by
    language = language or getattr(user, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            if batch.status == Status.VALIDATING:
                batch_validate(batch=batch)
            elif batch.status == Status.COMMITTING:
                batch_commit(batch=batch)
        except (CommitRefused, TabularError) as error:
            _fail(batch, str(error))
        except IntegrityError:
            _fail(
                batch,
                _(
                    "The same file was imported at the same time by another import: check the "
                    "persons of the project before trying again."
                ),
            )


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status = Status.FAILED
    batch.message = message
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.FAILED, message=message)


def work_once() -> ImportBatch | None:
    """Claim one batch waiting for the worker (or left by a worker that stopped) and do its
    work; returns it (None when nothing waits)."""
    waiting = ImportBatch.objects.filter(status__in=[Status.VALIDATING, Status.COMMITTING])
    with work.claimed(waiting) as batch:
        if batch is not None:
            try:
                batch_run(batch=batch)
            except Exception:
                logger.exception("Import %s failed", batch.pk)
                _fail(
                    batch,
                    _(
                        "The import stopped on an unexpected error. Check the file, then check "
                        "the rows again; if it happens again, send the file to an administrator."
                    ),
                )
    return batch


# --- Cancel and error report ---------------------------------------------------------------


def _refuse_unless_open(batch: ImportBatch) -> None:
    if not batch.is_open:
        raise ValidationError(
            _("This import is %(status)s: it can no longer change.")
            % {"status": batch.get_status_display().lower()}
        )


@transaction.atomic
def batch_cancel(*, batch: ImportBatch, by: User) -> None:
    """Drop an import before it lands: the stored file and the rejected rows are deleted."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status in (Status.COMMITTED, Status.COMMITTING, Status.CANCELLED):
        raise ValidationError(
            _("This import is %(status)s: it can no longer be cancelled.")
            % {"status": locked.get_status_display().lower()}
        )
    batch.row_errors.all().delete()
    if batch.file:
        name = batch.file.name
        transaction.on_commit(lambda: batch.file.storage.delete(name))
    batch.file = ""
    batch.status = Status.CANCELLED
    batch.save(update_fields=["file", "status", "updated_at"])
    audit.record(actor=by, action="import.cancel", target=batch)


def error_report(*, batch: ImportBatch, target) -> None:
    """Write the rejected rows to ``target`` as XLSX: the row as read and an error column."""
    header = ["Ligne / Row", *batch.headers, ERROR_COLUMN]

    def rows():
        for row in batch.row_errors.order_by("row_number").iterator(chunk_size=2000):
            cells = list(row.cells) + [None] * (len(batch.headers) - len(row.cells))
            message = " ; ".join(f"{column} : {text}" for column, text in row.errors)
            yield [row.row_number, *cells, message]

    write_xlsx(target, [(batch.sheet or "Erreurs", header, rows())])
