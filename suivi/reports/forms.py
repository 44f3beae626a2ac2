"""Forms of reports: the narrative of a period, and the choice of a donor report to generate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from suivi.reports.models import DonorReport, ReportNarrative

# Photos go into reports that travel by e-mail: keep each one reasonable.
PHOTO_MAX_BYTES = 5 * 1024 * 1024


class NarrativeForm(forms.Form):
    """The four sections of a period's narrative, and optionally one photo to attach."""

    photo = forms.ImageField(label=_("Add a photo"), required=False)
    photo_section = forms.ChoiceField(
        label=_("Section of the photo"),
        choices=ReportNarrative.Section.choices,
        initial=ReportNarrative.Section.SUCCESS_STORIES,
        required=False,
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sections = {}
        for code, label in ReportNarrative.Section.choices:
            sections[code] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 6})
            )
        self.fields = {**sections, **self.fields}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("The photo weighs %(size)s MB; send one of 5 MB at most (resize it first).")
                % {"size": round(photo.size / 1024 / 1024, 1)}
            )
        return photo

    def texts(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(code, "") for code in ReportNarrative.Section.values}


class DonorReportForm(forms.Form):
    """Which report to generate: type, its quarter, month or week, language and format."""

    kind = forms.ChoiceField(label=_("Type"), choices=DonorReport.Kind.choices)
    quarter = forms.ChoiceField(label=_("Quarter (quarterly report)"), required=False)
    month = forms.CharField(
        label=_("Month (monthly report)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "2026-05"}),
    )
    week_start = forms.DateField(
        label=_("First day of the week (weekly report)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("fr", "Français"), ("en", "English")]
    )
    format = forms.ChoiceField(label=_("Format"), choices=DonorReport.Format.choices)

    def __init__(self, *args, quarters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = {str(p.pk): p for p in quarters}
        self.fields["quarter"].choices = [("", "—")] + [(str(p.pk), p.label) for p in quarters]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == DonorReport.Kind.WEEKLY and not data.get("week_start"):
            self.add_error("week_start", _("A weekly report needs the first day of its week."))
        elif kind == DonorReport.Kind.MONTHLY:
            raw = (data.get("month") or "").strip()
            year, _sep, number = raw.partition("-")
            if not (year.isdigit() and number.isdigit() and 1 <= int(number) <= 12):
                self.add_error("month", _("Month: write it as year-month, for example 2026-05."))
            else:
                data["month_of"] = (int(year), int(number))
        elif kind == DonorReport.Kind.QUARTERLY:
            data["quarter_obj"] = self.quarters.get(data.get("quarter") or "")
            if data["quarter_obj"] is None:
                self.add_error("quarter", _("Choose the quarter of the report."))
        return data
