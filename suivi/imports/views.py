"""Pages of an import: upload, sheet, mapping, checks with their progress, preview, commit.

Batches come through ``ImportBatch.objects.visible_to(request.user)``: one the user may not see is
a 404. Changing a batch needs data entry in its project for its partner; a visible batch the user
may not change is a 403.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from suivi.imports import forms, services
from suivi.imports.models import ImportBatch
from suivi.lib import listing
from suivi.registry import services as registry
from suivi.registry.models import Person


def _batch(request, pk: int) -> ImportBatch:
    batches = ImportBatch.objects.visible_to(request.user).select_related(
        "project__organisation", "partner", "created_by"
    )
    return get_object_or_404(batches, pk=pk)


def _can_change(user, batch: ImportBatch) -> bool:
    return registry.can_enter_data(user, batch.project, batch.partner_id)


def _changeable_batch(request, pk: int) -> ImportBatch:
    batch = _batch(request, pk)
    if not _can_change(request.user, batch):
        raise PermissionDenied(_("You may not change this import."))
    return batch


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def batch_list(request):
    batches = ImportBatch.objects.visible_to(request.user).select_related("project", "partner")
    page = listing.paginate(request, batches.order_by("-created_at", "-pk"))
    return render(
        request,
        "imports/batch_list.html",
        {"page": page, "can_create": bool(registry.data_entry_projects(request.user))},
    )


@login_required
def batch_create(request):
    user = request.user
    projects = registry.data_entry_projects(user)
    if not projects:
        raise PermissionDenied(_("You may not enter data in any project."))
    form = forms.UploadForm(
        request.POST or None, request.FILES or None, user=user, projects=projects
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.batch_upload(
                by=user,
                project=data["project"],
                partner=data["partner"],
                upload=data["file"],
                registered_on=data["registered_on"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("imports:batch_detail", pk=batch.pk)
    return render(request, "imports/batch_form.html", {"form": form})


@login_required
def batch_detail(request, pk: int):
    batch = _batch(request, pk)
    can_change = _can_change(request.user, batch)
    context = {"batch": batch, "can_change": can_change}
    if can_change and batch.is_open:
        if len(batch.sheets) > 1:
            context["sheet_form"] = forms.SheetForm(batch=batch)
        if batch.headers:
            context["mapping_form"] = forms.MappingForm(
                batch=batch, initial_mapping=batch.mapping_by_index
            )
    if batch.status in (ImportBatch.Status.VALIDATED, ImportBatch.Status.COMMITTED):
        context["page"] = listing.paginate(request, batch.row_errors.order_by("row_number"))
        context["matches"], context["matches_total"] = _row_matches(request.user, batch)
    return render(request, "imports/batch_detail.html", context)


MATCHES_SHOWN = 100


def _row_matches(user, batch: ImportBatch) -> tuple[list, int]:
    """The first possible duplicates of the list, each with ``shown_person``: the person of
    the registry when the user may see them (None otherwise), and how many there are."""
    total = batch.row_matches.count()
    matches = list(batch.row_matches.order_by("row_number", "-score", "pk")[:MATCHES_SHOWN])
    ids = [m.person_id for m in matches if m.person_id is not None]
    visible = Person.objects.visible_to(user).in_bulk(ids) if ids else {}
    for match in matches:
        match.shown_person = visible.get(match.person_id)
    return matches, total


@login_required
def batch_sheet(request, pk: int):
    batch = _changeable_batch(request, pk)
    if request.method != "POST":
        return redirect("imports:batch_detail", pk=batch.pk)
    form = forms.SheetForm(request.POST, batch=batch)
    if form.is_valid():
        try:
            services.batch_choose_sheet(
                batch=batch, sheet=form.cleaned_data["sheet"], by=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("imports:batch_detail", pk=batch.pk)
    return render(request, "imports/batch_detail.html", {"batch": batch, "sheet_form": form})


@login_required
def batch_mapping(request, pk: int):
    batch = _changeable_batch(request, pk)
    if request.method != "POST":
        return redirect("imports:batch_detail", pk=batch.pk)
    form = forms.MappingForm(request.POST, batch=batch, initial_mapping={})
    if form.is_valid():
        try:
            services.batch_map(batch=batch, mapping=form.mapping(), by=request.user)
            services.batch_start_validation(batch=batch)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("imports:batch_detail", pk=batch.pk)
    context = {"batch": batch, "can_change": True, "mapping_form": form}
    if len(batch.sheets) > 1:
        context["sheet_form"] = forms.SheetForm(batch=batch)
    return render(request, "imports/batch_detail.html", context)


@login_required
def batch_commit(request, pk: int):
    batch = _changeable_batch(request, pk)
    if request.method != "POST":
        return redirect("imports:batch_detail", pk=batch.pk)
    try:
        services.batch_request_commit(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("imports:batch_detail", pk=batch.pk)
    batch.refresh_from_db()
    if batch.status == ImportBatch.Status.COMMITTED:
        messages.success(
            request,
            _("%(n)s persons are registered in %(project)s.")
            % {"n": batch.created_rows, "project": batch.project.code},
        )
    return redirect("imports:batch_detail", pk=batch.pk)


@login_required
def batch_cancel(request, pk: int):
    batch = _changeable_batch(request, pk)
    if request.method != "POST":
        return redirect("imports:batch_detail", pk=batch.pk)
    try:
        services.batch_cancel(batch=batch, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The import is cancelled; its file is deleted."))
    return redirect("imports:batch_detail", pk=batch.pk)


@login_required
@require_GET
def batch_progress(request, pk: int):
    """The progress bar, polled by the page every two seconds while the work runs."""
    batch = _batch(request, pk)
    if not batch.is_busy:
        # The work is over: htmx reloads the page, which shows the result.
        url = reverse("imports:batch_detail", args=[batch.pk])
        response = HttpResponse(format_html('<a href="{}">{}</a>', url, _("Show the result")))
        response["HX-Redirect"] = url
        return response
    return render(request, "imports/_progress.html", {"batch": batch})


@login_required
@require_GET
def batch_errors(request, pk: int):
    """The rejected rows as an Excel file, to correct and upload again."""
    batch = _batch(request, pk)
    report = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    services.error_report(batch=batch, target=report)
    report.seek(0)
    stem = batch.original_name.rsplit(".", 1)[0] or "import"
    return FileResponse(
        report,
        as_attachment=True,
        filename=f"{stem}-erreurs.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
