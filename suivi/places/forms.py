"""Forms of the places pages: they parse and check input; the services write."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from suivi.places.models import Area, Site

COORDINATE_STEP = Decimal("0.000001")  # six decimals: about 10 cm, what the database keeps


class AreaField(forms.ModelChoiceField):
    """A select of areas of the given levels, each named with its parent below admin 1."""

    def __init__(self, levels=(Area.Level.ADMIN1, Area.Level.ADMIN2), **kwargs):
        areas = Area.objects.filter(level__in=levels).select_related("parent")
        kwargs.setdefault("label", _("Area"))
        super().__init__(queryset=areas.order_by("pcode"), **kwargs)

    def label_from_instance(self, obj: Area) -> str:
        return obj.label


class FilterForm(forms.Form):
    """Filters of a list, read from the query string; an invalid value is ignored, not refused."""

    q = forms.CharField(label=_("Search"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("All")

    def values(self) -> dict:
        """The valid filters, each one independently."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class AreaFilterForm(FilterForm):
    country = forms.ChoiceField(label=_("Country"))
    level = forms.TypedChoiceField(
        label=_("Level"), coerce=int, choices=[("", _("All")), *Area.Level.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = Area.objects.filter(level=Area.Level.COUNTRY).order_by("pcode")
        self.fields["country"].choices = [("", _("All"))] + [(c.country, c.name) for c in countries]


class SiteFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *Site.Kind.choices])
    area = AreaField(
        levels=(Area.Level.COUNTRY, Area.Level.ADMIN1, Area.Level.ADMIN2),
        help_text=_("Sites of the areas below it are included."),
    )


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "---------"), *Site.Kind.choices])
    area = AreaField(
        levels=(Area.Level.ADMIN1, Area.Level.ADMIN2, Area.Level.ADMIN3),
        help_text=_("The smallest area the site lies in, for example its cercle or moughataa."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Decimal degrees, north positive: for example 12.6392 at Bamako."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "min_value": _("A latitude lies between -90 and 90 degrees."),
            "max_value": _("A latitude lies between -90 and 90 degrees."),
        },
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("Decimal degrees, west negative: for example -8.0029 at Bamako."),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "min_value": _("A longitude lies between -180 and 180 degrees."),
            "max_value": _("A longitude lies between -180 and 180 degrees."),
        },
    )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def _clean_coordinate(self, name: str):
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        # A phone's GPS gives more decimals than the six kept: round rather than refuse.
        return value.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)

    def clean_latitude(self):
        return self._clean_coordinate("latitude")

    def clean_longitude(self):
        return self._clean_coordinate("longitude")

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        unread = "latitude" in self.errors or "longitude" in self.errors
        if (latitude is None) != (longitude is None) and not unread:
            missing = "longitude" if longitude is None else "latitude"
            self.add_error(missing, _("Give both the latitude and the longitude, or neither."))
        return cleaned

    def site_data(self) -> dict:
        names = ("name", "kind", "area", "latitude", "longitude")
        return {name: self.cleaned_data.get(name) for name in names}
