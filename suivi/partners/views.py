"""Pages of partnership agreements and partner reports.

Every row comes through ``visible_to(request.user)``: a partner focal point reaches only their
own partner's agreements and reports, a donor viewer none; what the user may not see is a 404.
A visible row the user may not change is a 403: agreements are written by administrators and
programme managers, reports are submitted by the partner's focal point (or agency staff on the
partner's behalf) and reviewed by programme managers and M&E officers.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from suivi.lib import listing
from suivi.lib.forms import add_service_error
from suivi.partners import forms, services
from suivi.partners.models import Agreement, PartnerReport
from suivi.projects.models import Project


def _project(user, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(user).select_related("organisation"), pk=pk)


def _agreement(user, pk: int) -> Agreement:
    queryset = Agreement.objects.visible_to(user).select_related("project", "partner")
    return get_object_or_404(queryset, pk=pk)


def _report(user, pk: int) -> PartnerReport:
    queryset = PartnerReport.objects.visible_to(user).select_related(
        "agreement__project", "agreement__partner", "submitted_by", "reviewed_by"
    )
    return get_object_or_404(queryset, pk=pk)


def _mark(reports, user, today) -> None:
    """What each report's row shows: days late and the actions the user may take."""
    projects: dict[int, Project] = {}
    for report in reports:
        # One instance per project: it keeps its partners for every row's permission check.
        project = projects.setdefault(report.agreement.project_id, report.agreement.project)
        report.agreement.project = project
        report.late = report.days_late(today)
        report.can_submit = report.is_outstanding and services.report_can_submit(
            user=user, report=report
        )
        report.can_review = (
            report.status == PartnerReport.Status.SUBMITTED
            and services.report_can_review(user=user, report=report)
        )


@login_required
def agreement_list(request, pk: int):
    """A project's agreements, each with the reports its partner owes."""
    user = request.user
    project = _project(user, pk)
    agreements = list(
        Agreement.objects.visible_to(user)
        .filter(project=project)
        .select_related("partner", "project")
        .order_by("partner__name", "reference", "pk")
    )
    by_agreement = {a.pk: a for a in agreements}
    for agreement in agreements:
        agreement.report_rows = []
    reports = list(
        PartnerReport.objects.visible_to(user)
        .filter(agreement__in=agreements)
        .order_by("due_date", "final", "kind", "pk")
    )
    for report in reports:
        report.agreement = by_agreement[report.agreement_id]
        report.agreement.report_rows.append(report)
    _mark(reports, user, timezone.localdate())
    context = {
        "project": project,
        "agreements": agreements,
        "can_create": services.agreement_can_edit(user=user, project=project),
        "can_edit": services.agreement_can_edit(user=user, project=project),
    }
    return render(request, "partners/agreement_list.html", context)


@login_required
def agreement_create(request, pk: int):
    user = request.user
    project = _project(user, pk)
    if not services.agreement_can_edit(user=user, project=project):
        raise PermissionDenied(_("Only administrators and programme managers write agreements."))
    form = forms.AgreementForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(
                project=project, by=user, data=form.agreement_data()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The agreement %(reference)s is created with %(count)s reports to follow.")
                % {"reference": agreement.reference, "count": agreement.reports.count()},
            )
            return redirect("partners:agreement_detail", pk=agreement.pk)
    return render(request, "partners/agreement_form.html", {"form": form, "project": project})


@login_required
def agreement_detail(request, pk: int):
    user = request.user
    agreement = _agreement(user, pk)
    reports = list(
        PartnerReport.objects.visible_to(user)
        .filter(agreement=agreement)
        .select_related("submitted_by", "reviewed_by")
        .order_by("due_date", "final", "kind", "pk")
    )
    for report in reports:
        report.agreement = agreement
    _mark(reports, user, timezone.localdate())
    can_edit = services.agreement_can_edit(user=user, project=agreement.project)
    context = {
        "agreement": agreement,
        "project": agreement.project,
        "reports": reports,
        "can_edit": can_edit,
    }
    return render(request, "partners/agreement_detail.html", context)


@login_required
def agreement_edit(request, pk: int):
    user = request.user
    agreement = _agreement(user, pk)
    project = agreement.project
    if not services.agreement_can_edit(user=user, project=project):
        raise PermissionDenied(_("Only administrators and programme managers write agreements."))
    form = forms.AgreementForm(request.POST or None, project=project, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_update(agreement=agreement, by=user, data=form.agreement_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("partners:agreement_detail", pk=agreement.pk)
    context = {"form": form, "project": project, "agreement": agreement}
    return render(request, "partners/agreement_form.html", context)


@login_required
def report_edit(request, pk: int):
    """Change the period or due date of one report of the schedule."""
    user = request.user
    report = _report(user, pk)
    agreement = report.agreement
    if not services.agreement_can_edit(user=user, project=agreement.project):
        raise PermissionDenied(_("Only administrators and programme managers change the dates."))
    form = forms.ReportScheduleForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_report_update(report=report, by=user, data=form.schedule_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("partners:agreement_detail", pk=agreement.pk)
    context = {"form": form, "report": report, "agreement": agreement}
    return render(request, "partners/report_edit.html", context)


@login_required
def report_submit(request, pk: int):
    user = request.user
    report = _report(user, pk)
    if not services.report_can_submit(user=user, report=report):
        raise PermissionDenied(_("Only the partner's focal point or the agency's staff submit it."))
    form = forms.SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_report_submit(
                report=report,
                by=user,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The %(report)s (%(period)s) is submitted; the agency will review it.")
                % {"report": report.label.lower(), "period": report.period_label},
            )
            return redirect("partners:agreement_detail", pk=report.agreement_id)
    context = {"form": form, "report": report, "agreement": report.agreement}
    return render(request, "partners/report_submit.html", context)


@login_required
def report_review(request, pk: int):
    """Accept a submitted report, or return it for correction with the reason."""
    user = request.user
    report = _report(user, pk)
    if not services.report_can_review(user=user, report=report):
        raise PermissionDenied(_("Only programme managers and M&E officers review reports."))
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = request.POST.get("decision")
        try:
            if decision == "accept":
                services.partner_report_accept(report=report, by=user)
                done = _("The report is accepted.")
            elif decision == "return":
                services.partner_report_return(
                    report=report, by=user, reason=form.cleaned_data["reason"]
                )
                done = _("The report is returned to the partner for correction.")
            else:
                raise ValidationError(_("Choose to accept the report or to return it."))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, done)
            return redirect("partners:agreement_detail", pk=report.agreement_id)
    context = {"form": form, "report": report, "agreement": report.agreement}
    return render(request, "partners/report_review.html", context)


@login_required
@require_GET
def report_file(request, pk: int):
    """The file of a submitted report, to whoever may see the report."""
    report = _report(request.user, pk)
    if not report.file:
        raise Http404(_("No file is attached to this report."))
    return FileResponse(
        report.file.open("rb"), as_attachment=True, filename=Path(report.file.name).name
    )


@login_required
def due_list(request):
    """The partners' reports still owed or awaiting review, by due date: for a partner focal
    point, what their organisation owes and when."""
    user = request.user
    reports = (
        PartnerReport.objects.visible_to(user)
        .asked()
        .exclude(status=PartnerReport.Status.ACCEPTED)
        .select_related("agreement__project", "agreement__partner")
        .order_by("due_date", "agreement__reference", "final", "kind", "pk")
    )
    reports, applied = listing.filter_by(reports, request, {"status": "status"})
    page = listing.paginate(request, reports)
    _mark(page.object_list, user, timezone.localdate())
    context = {"page": page, "status": applied.get("status", ""), "statuses": _statuses()}
    return render(request, "partners/due_list.html", context)


def _statuses():
    return [(v, label) for v, label in PartnerReport.Status.choices if v != "accepted"]
