"""Forms of the partners pages: they parse and check input; the services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from suivi.lib import uploads
from suivi.partners.models import Agreement, PartnerReport
from suivi.partners.services import AGREEMENT_FIELDS, REPORT_SCHEDULE_FIELDS
from suivi.projects.forms import DateInput
from suivi.projects.models import Project


class AgreementForm(forms.Form):
    """An agreement with one of the project's partners; on creation, how its reports are
    scheduled."""

    def __init__(self, *args, project: Project, agreement: Agreement | None = None, **kwargs):
        self.project = project
        self.agreement = agreement
        if agreement is not None:
            initial = {name: getattr(agreement, name) for name in AGREEMENT_FIELDS}
            initial["partner"] = agreement.partner_id
            kwargs.setdefault("initial", initial)
        else:
            kwargs.setdefault(
                "initial", {"start_date": project.start_date, "end_date": project.end_date}
            )
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                Agreement,
                fields=[name for name in AGREEMENT_FIELDS if name != "partner"],
                widgets={"start_date": DateInput(), "end_date": DateInput()},
            )
        )
        self.fields["partner"] = forms.ModelChoiceField(
            queryset=project.partners.order_by("name"),
            label=_("Partner"),
            help_text=_("One of the project's partners."),
            error_messages={
                "invalid_choice": _(
                    "This organisation is not a partner of the project: choose one of its "
                    "partners, or add it to the project's partners first."
                )
            },
        )
        if agreement is not None:
            # The schedule is generated once; later, reports are changed one by one.
            for name in ("report_frequency", "report_due_days"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "The reports are already scheduled: change their dates one by one."
                )
        self.order_fields(AGREEMENT_FIELDS)

    def agreement_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in AGREEMENT_FIELDS}


class ReportScheduleForm(forms.Form):
    """The period and due date of one report."""

    def __init__(self, *args, report: PartnerReport, **kwargs):
        kwargs.setdefault(
            "initial", {name: getattr(report, name) for name in REPORT_SCHEDULE_FIELDS}
        )
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(
                PartnerReport,
                fields=REPORT_SCHEDULE_FIELDS,
                widgets={name: DateInput() for name in REPORT_SCHEDULE_FIELDS},
            )
        )

    def schedule_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in REPORT_SCHEDULE_FIELDS}


class SubmitForm(forms.Form):
    file = forms.FileField(label=_("Report file"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(types)s, at most %(limit)s.") % {
            "types": ", ".join(uploads.DOCUMENT_EXTENSIONS),
            "limit": uploads.limit_text(),
        }
        self.fields["file"].widget.attrs["accept"] = uploads.accept()
        self.fields["file"].error_messages["required"] = _(
            "Attach the report's file: a document, a spreadsheet or a scan."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        uploads.check_document(upload)
        return upload


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("What to correct"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to return the report for correction."),
    )
