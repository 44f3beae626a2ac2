"""How Suivi's indicators map to a DHIS2 instance: data elements, category option combos and
organisation units, kept in Suivi and edited by the project's M&E officers."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Organisation
from suivi.places.models import Area
from suivi.projects.models import Indicator

# DHIS2 identifiers: eleven letters and digits, the first a letter.
UID_PATTERN = r"^[A-Za-z][A-Za-z0-9]{10}$"
uid_validator = RegexValidator(
    UID_PATTERN,
    _("A DHIS2 identifier is 11 letters and digits, beginning with a letter (f7n9E0hX8qk)."),
)


def _uid_field(label):
    return models.CharField(label, max_length=11, validators=[uid_validator])


class Dhis2DataElement(models.Model):
    """The DHIS2 data element an indicator's values go to."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="dhis2")
    data_element = _uid_field(_("DHIS2 data element"))

    class Meta:
        verbose_name = _("DHIS2 data element")
        verbose_name_plural = _("DHIS2 data elements")

    def __str__(self) -> str:
        return f"{self.indicator.code} → {self.data_element}"


class Dhis2CategoryOptionCombo(models.Model):
    """The DHIS2 category option combo of one disaggregated cell of an indicator
    (``sex=F|age_band=12-17``). An indicator with such combos sends its mapped cells; one
    without sends its total under the default combo."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="dhis2_combos")
    cell = models.CharField(_("cell"), max_length=200)
    category_option_combo = _uid_field(_("DHIS2 category option combo"))

    class Meta:
        ordering = ["indicator", "cell"]
        verbose_name = _("DHIS2 category option combo")
        verbose_name_plural = _("DHIS2 category option combos")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "cell"], name="dhis2_combo_unique_cell")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.cell} → {self.category_option_combo}"


class Dhis2OrgUnit(models.Model):
    """The DHIS2 organisation unit of an administrative area, for one organisation's
    reporting."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    org_unit = _uid_field(_("DHIS2 organisation unit"))

    class Meta:
        ordering = ["organisation", "area"]
        verbose_name = _("DHIS2 organisation unit")
        verbose_name_plural = _("DHIS2 organisation units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "area"], name="dhis2_org_unit_unique_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.pcode} → {self.org_unit}"
