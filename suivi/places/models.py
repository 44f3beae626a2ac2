"""Administrative areas with P-codes (country > admin1 > admin2 > admin3) and sites."""

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from suivi.lib.text import name_pattern


def _words_in(queryset: models.QuerySet, text: str, names: list[str], codes: list[str]):
    """Rows where every word of ``text`` is in one of ``names`` (accents, case, apostrophes and
    hyphens ignored) or starts one of ``codes``."""
    for word in text.split():
        pattern = name_pattern(word)
        q = Q()
        if pattern:
            for field in names:
                q |= Q(**{f"{field}__regex": pattern})
        for field in codes:
            q |= Q(**{f"{field}__istartswith": word})
        queryset = queryset.filter(q)
    return queryset


class AreaQuerySet(models.QuerySet):
    def within(self, area: "Area"):
        """The area and every area below it (P-codes nest by prefix)."""
        return self.filter(country=area.country, pcode__startswith=area.pcode)

    def search(self, text: str):
        """Areas whose French or English name holds every word of ``text``, or whose P-code
        starts with it."""
        return _words_in(self, text, ["name_fr", "name_en"], ["pcode"])


class Area(models.Model):
    """An administrative area identified by its OCHA COD-AB P-code."""

    class Level(models.IntegerChoices):
        COUNTRY = 0, _("Country")
        ADMIN1 = 1, _("Admin 1 (region, wilaya)")
        ADMIN2 = 2, _("Admin 2 (cercle, moughataa)")
        ADMIN3 = 3, _("Admin 3 (commune)")

    pcode = models.CharField(_("P-code"), max_length=20, unique=True)
    country = models.CharField(_("country (ISO code)"), max_length=3, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["pcode"]
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_fr

    @property
    def label(self) -> str:
        """The name with its parent's below admin 1 (« Bamako › Commune III »): names repeat
        across levels (a region, its cercle and a commune may share one)."""
        if self.level >= self.Level.ADMIN2 and self.parent_id:
            return f"{self.parent.name} › {self.name}"
        return self.name

    def ancestor_at(self, level: int) -> "Area | None":
        area = self
        while area is not None and area.level > level:
            area = area.parent
        return area if area is not None and area.level == level else None

    def ancestors(self) -> list["Area"]:
        """The areas above this one, the country first."""
        chain = []
        area = self.parent
        while area is not None:
            chain.append(area)
            area = area.parent
        return chain[::-1]


class SiteQuerySet(models.QuerySet):
    def within(self, area: Area):
        """Sites of the area and of every area below it."""
        return self.filter(area__in=Area.objects.within(area))

    def search(self, text: str):
        """Sites whose name holds every word of ``text`` (accents and case ignored)."""
        return _words_in(self, text, ["name"], [])


class Site(models.Model):
    """A place where work happens: a school, a health centre, a border post, a village..."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        HEALTH_CENTRE = "health_centre", _("Health centre")
        BORDER_POST = "border_post", _("Border post")
        TRANSIT_CENTRE = "transit_centre", _("Transit centre")
        VILLAGE = "village", _("Village or neighbourhood")
        OFFICE = "office", _("Office")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="sites", verbose_name=_("area")
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="site_unique_name_in_area"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="site_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.area})"
