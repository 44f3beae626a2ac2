"""Forms of the import pages: they parse and check input; the services write."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from suivi.imports.models import ImportBatch
from suivi.imports.normalise import TARGETS
from suivi.registry.forms import RegistrationFields


class UploadForm(RegistrationFields):
    """The list, the project and partner it is for, and the registration date of its persons.

    A partner focal point has no partner field: their own partner is forced.
    """

    refused = _("You may not import persons in this project for this partner.")

    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file, one person per row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_on"].help_text = _(
            "The date on which the persons of the list were registered."
        )
        self.order_fields(["file", "project", "partner", "registered_on"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SUIVI_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is too large (%(size)s MB; the limit is %(limit)s MB). Split the "
                    "list into several files, or remove the columns and sheets that are not needed."
                )
                % {"size": round(upload.size / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)}
            )
        return upload


class SheetForm(forms.Form):
    sheet = forms.ChoiceField(label=_("Sheet"))

    def __init__(self, *args, batch: ImportBatch, **kwargs):
        super().__init__(*args, **kwargs)
        labels = []
        for name in batch.sheets:
            label = name
            if name in batch.hidden_sheets:
                label = _("%(sheet)s (hidden sheet)") % {"sheet": name}
            labels.append((name, label))
        self.fields["sheet"].choices = labels
        self.fields["sheet"].initial = batch.sheet or (batch.sheets[0] if batch.sheets else "")


class MappingForm(forms.Form):
    """One select per column of the list: which field of the person it feeds."""

    def __init__(self, *args, batch: ImportBatch, initial_mapping: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        choices = [("", _("— Do not import —")), *[(t.name, t.label) for t in TARGETS]]
        hidden = set(batch.hidden_columns)
        for index, header in enumerate(batch.headers):
            label = header
            if index in hidden:
                label = _("%(column)s (hidden column)") % {"column": header}
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=False,
                initial=initial_mapping.get(index, ""),
            )

    def mapping(self) -> dict[int, str]:
        return {
            int(name[4:]): value for name, value in self.cleaned_data.items() if name[4:].isdigit()
        }
