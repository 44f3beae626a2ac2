"""Forms of the registry pages: they parse and check input; the services write."""

from __future__ import annotations

import datetime

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Organisation, User, partner_of
from suivi.lib import ages
from suivi.lib.phones import normalise_phone
from suivi.places.models import Area, Site
from suivi.projects.models import PlannedActivity, Project
from suivi.registry import eligibility, services
from suivi.registry.models import (
    WG_DOMAINS,
    ConsentScope,
    Difficulty,
    DuplicateCandidate,
    EligibilityCriterion,
    EligibilityRuleSet,
    ExternalId,
    Group,
    Person,
    PopulationGroup,
    Sex,
    SpecificNeed,
)

# The person's own fields that the person form edits (household membership has its own page).
PERSON_DATA_FIELDS = [
    "family_name",
    "given_name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "population_group",
    *[name for name, _label in WG_DOMAINS],
    "phone",
    "area",
    "site",
    "consent_date",
    "consent_scope",
]
OLDEST_AGE = 120
# Suggestions offered for the relationship to the head of household (free text is accepted).
RELATIONSHIPS = [
    _("Head of household"),
    _("Spouse"),
    _("Son or daughter"),
    _("Father or mother"),
    _("Brother or sister"),
    _("Grandchild"),
    _("Other relative"),
    _("Not related"),
]


def _today() -> datetime.date:
    return timezone.localdate()


class DateInput(forms.DateInput):
    """The browser's date picker; it needs ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AreaField(forms.ModelChoiceField):
    """A select of regions and cercles (admin 1 and 2): about 140 options for Mali and
    Mauritania, light enough for a slow link."""

    def __init__(self, current: int | None = None, **kwargs):
        areas = Area.objects.filter(level__in=(Area.Level.ADMIN1, Area.Level.ADMIN2))
        if current:
            # Keep an area imported at another level selectable on the person's own form.
            areas = areas | Area.objects.filter(pk=current)
        kwargs.setdefault("label", _("Area"))
        kwargs.setdefault("required", False)
        super().__init__(queryset=areas.select_related("parent").order_by("pcode"), **kwargs)

    def label_from_instance(self, obj: Area) -> str:
        return obj.label


def _site_field_for(form: forms.Form, area_field: str = "area", site_field: str = "site") -> None:
    """Offer the sites within the chosen area only (the page loads them again when the area
    changes), which also refuses a site outside the area."""
    if form.is_bound:
        raw = form.data.get(form.add_prefix(area_field))
    else:
        raw = form.initial.get(area_field)
    raw = getattr(raw, "pk", raw)
    area = Area.objects.filter(pk=raw).first() if str(raw or "").isdigit() else None
    field = form.fields[site_field]
    if area is None:
        field.queryset = Site.objects.none()
    else:
        within = Site.objects.filter(area__in=Area.objects.within(area))
        field.queryset = within.select_related("area").order_by("name")


# The area select reloads the options of the site select (id_site) when it changes.
AREA_WIDGET_ATTRS = {
    "hx-get": reverse_lazy("registry:site_options"),
    "hx-target": "#id_site",
    "hx-trigger": "change",
}


class PersonPicker(forms.Widget):
    """A search box that lists matching visible persons as radio buttons (htmx as you type, or
    with the Search button without JavaScript). Never renders the whole registry."""

    template_name = "registry/_person_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.candidates: list[Person] = []
        self.query = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            candidates=self.candidates,
            query=self.query,
            search_url=reverse_lazy("registry:person_search"),
        )
        return context


class PersonChoiceField(forms.ModelChoiceField):
    """A visible person, chosen with the picker; the gated queryset validates the choice."""

    widget = PersonPicker

    def __init__(self, *, user: User, query: str = "", initial_pk=None, **kwargs):
        visible = Person.objects.visible_to(user)
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "invalid_choice", _("Choose a person from the search results.")
        )
        kwargs["error_messages"].setdefault("required", _("Search for the person and choose them."))
        super().__init__(queryset=visible, **kwargs)
        query = query.strip()
        candidates = []
        if query:
            found = services.person_search(visible, query).select_related("area")
            candidates = list(found[:20])
        if str(initial_pk or "").isdigit() and all(
            str(c.pk) != str(initial_pk) for c in candidates
        ):
            chosen = visible.filter(pk=initial_pk).select_related("area").first()
            if chosen is not None:
                candidates.insert(0, chosen)
        self.widget.candidates = candidates
        self.widget.query = query


def _picker(form: forms.Form, name: str, user: User, query: str, **kwargs) -> PersonChoiceField:
    raw = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    return PersonChoiceField(user=user, query=query, initial_pk=raw, **kwargs)


# --- Registration in a project ------------------------------------------------------------


class RegistrationFields(forms.Form):
    """Project, partner and date of a registration. A partner focal point has no partner field:
    their own partner is forced on what they register."""

    refused = _("You may not register persons in this project for this partner.")

    def __init__(self, *args, user: User, projects: list[Project], **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.partner_forced = bool(projects) and all(
            partner_of(user, p) is not None for p in projects
        )
        self.fields["project"] = forms.ModelChoiceField(
            queryset=Project.objects.filter(pk__in=[p.pk for p in projects]).order_by("code"),
            label=_("Project"),
            help_text=_("Only the projects in which you may enter data."),
        )
        if len(projects) == 1:
            self.fields["project"].initial = projects[0].pk
        if not self.partner_forced:
            partners = Organisation.objects.filter(partner_projects__in=projects).distinct()
            self.fields["partner"] = forms.ModelChoiceField(
                queryset=partners.order_by("name"),
                label=_("Partner"),
                required=False,
                empty_label=_("None: the agency itself"),
            )
        self.fields["registered_on"] = forms.DateField(
            label=_("Registration date"), initial=_today, widget=DateInput()
        )
        self.fields["override_reason"] = forms.CharField(
            label=_("Reason for registering despite the eligibility rules"),
            required=False,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_(
                "Only when the person does not meet the project's eligibility rules: say why "
                "they are registered anyway. The reason is kept with your name."
            ),
        )

    def clean_registered_on(self):
        day = self.cleaned_data["registered_on"]
        if day > _today():
            raise forms.ValidationError(_("The registration date cannot be in the future."))
        return day

    def clean_registration(self, cleaned: dict) -> None:
        project = cleaned.get("project")
        if project is None:
            return
        if self.partner_forced:
            partner_id = partner_of(self.user, project)
            cleaned["partner"] = Organisation.objects.filter(pk=partner_id).first()
        partner = cleaned.get("partner")
        if partner is not None and partner.pk not in project.partner_ids():
            self.add_error(
                "partner" if "partner" in self.fields else "project",
                _("%(partner)s is not a partner of project %(project)s: choose another partner.")
                % {"partner": partner, "project": project.code},
            )
            return
        if not services.can_enter_data(self.user, project, partner.pk if partner else None):
            self.add_error("project", self.refused)

    def clean(self):
        cleaned = super().clean()
        self.clean_registration(cleaned)
        return cleaned


class RegistrationForm(RegistrationFields):
    """Register an existing person in another project."""


# --- Person ----------------------------------------------------------------------------------


class PersonForm(RegistrationFields):
    """A person's facts, and on creation the project and partner that register them."""

    family_name = forms.CharField(label=_("Family name"), max_length=100)
    given_name = forms.CharField(label=_("Given names"), max_length=150)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    birth_date_estimated = forms.BooleanField(
        label=_("The date of birth is estimated"), required=False
    )
    age = forms.IntegerField(
        label=_("Or age in years"),
        required=False,
        min_value=0,
        help_text=_("When the date of birth is unknown: Suivi records an estimated date."),
        error_messages={"min_value": _("The age cannot be negative.")},
    )
    population_group = forms.ChoiceField(
        label=_("Population group"), choices=[("", "---------"), *PopulationGroup.choices]
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        help_text=_("+223 or +222 followed by 8 digits, or 8 digits."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"), required=False)
    specific_needs = forms.ModelMultipleChoiceField(
        queryset=SpecificNeed.objects.all(),
        label=_("Specific needs"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_date = forms.DateField(label=_("Consent date"), required=False, widget=DateInput())
    consent_scope = forms.ChoiceField(
        label=_("Consent scope"), choices=ConsentScope.choices, required=False
    )
    progres = forms.CharField(label=_("proGres individual number"), required=False, max_length=60)
    # Set by the "Register anyway" button shown with the likely duplicates.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, person: Person | None = None, projects=None, **kwargs):
        self.person = person
        self.with_registration = projects is not None
        if person is not None:
            kwargs.setdefault("initial", self.initial_for(person))
        super().__init__(*args, user=user, projects=projects or [], **kwargs)
        if not self.with_registration:
            for name in ("project", "partner", "registered_on", "override_reason"):
                self.fields.pop(name, None)
        for name, label in WG_DOMAINS:
            self.fields[name] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", _("Not asked")), *Difficulty.choices],
                widget=forms.RadioSelect,
            )
        self.fields["area"] = AreaField(
            current=person.area_id if person else None,
            widget=forms.Select(attrs=AREA_WIDGET_ATTRS),
        )
        _site_field_for(self)
        self.order_fields(["family_name", "given_name", "sex", "birth_date"])

    @staticmethod
    def initial_for(person: Person) -> dict:
        initial = {name: getattr(person, name) for name in PERSON_DATA_FIELDS}
        initial["area"] = person.area_id
        initial["site"] = person.site_id
        initial["specific_needs"] = list(person.specific_needs.all())
        progres = person.external_ids.filter(scheme=ExternalId.Scheme.PROGRES).first()
        initial["progres"] = progres.value if progres else ""
        return initial

    def wg_fields(self):
        return [self[name] for name, _label in WG_DOMAINS]

    def clean_family_name(self):
        return " ".join(self.cleaned_data["family_name"].split())

    def clean_given_name(self):
        return " ".join(self.cleaned_data["given_name"].split())

    def clean_age(self):
        age = self.cleaned_data.get("age")
        if age is not None and age > OLDEST_AGE:
            raise forms.ValidationError(
                _("An age over %(n)s years is not plausible: check it.") % {"n": OLDEST_AGE}
            )
        return age

    def clean_birth_date(self):
        birth = self.cleaned_data.get("birth_date")
        if birth is None:
            return None
        today = _today()
        if birth > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if ages.age_on(birth, today) > OLDEST_AGE:
            raise forms.ValidationError(
                _("This date of birth gives an age over %(n)s years: check it.") % {"n": OLDEST_AGE}
            )
        return birth

    def clean_consent_date(self):
        day = self.cleaned_data.get("consent_date")
        if day is not None and day > _today():
            raise forms.ValidationError(_("The consent date cannot be in the future."))
        return day

    def clean_progres(self):
        value = self.cleaned_data.get("progres", "").strip()
        if not value:
            return ""
        taken, holder = services.external_id_holder(
            user=self.user, scheme=ExternalId.Scheme.PROGRES, value=value, exclude=self.person
        )
        if taken and holder is not None:
            raise forms.ValidationError(
                _("The proGres number %(value)s is already used by %(name)s (%(reference)s).")
                % {"value": value, "name": holder, "reference": holder.reference}
            )
        if taken:
            raise forms.ValidationError(
                _("The proGres number %(value)s is already used.") % {"value": value}
            )
        return value

    def clean(self):
        cleaned = super().clean()
        self._clean_birth(cleaned)
        area = cleaned.get("area")
        if cleaned.get("consent_scope") and not cleaned.get("consent_date"):
            self.add_error("consent_date", _("Give the date on which consent was given."))
        if "phone" in cleaned:
            try:
                cleaned["phone"] = normalise_phone(cleaned["phone"], area.country if area else "")
            except forms.ValidationError as error:
                self.add_error("phone", error)
        return cleaned

    def clean_registration(self, cleaned: dict) -> None:
        if self.with_registration:
            super().clean_registration(cleaned)

    def _clean_birth(self, cleaned: dict) -> None:
        """A date of birth, or an age turned into an estimated date: 1 July of the year of
        (registration year - age), the usual convention when only the age is known."""
        if "birth_date" not in cleaned or "age" not in cleaned:
            return  # already refused with a message on the field
        birth, age = cleaned.get("birth_date"), cleaned.get("age")
        if birth is not None and age is not None:
            self.add_error(
                "age", _("Give either the date of birth or the age, not both: clear one of them.")
            )
            return
        if birth is None and age is None:
            self.add_error(
                "birth_date", _("Give the date of birth or, when it is unknown, the age in years.")
            )
            return
        if age is not None:
            on = cleaned.get("registered_on") or _today()
            # A baby registered before July would otherwise be born in the future.
            cleaned["birth_date"] = min(datetime.date(on.year - age, 7, 1), on)
            cleaned["birth_date_estimated"] = True

    def person_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in PERSON_DATA_FIELDS}

    def duplicate_probe(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in ("family_name", "given_name")}
        data.update(
            sex=self.cleaned_data.get("sex"),
            birth_date=self.cleaned_data.get("birth_date"),
            birth_date_estimated=self.cleaned_data.get("birth_date_estimated"),
            phone=self.cleaned_data.get("phone"),
            area=self.cleaned_data.get("area"),
            progres=self.cleaned_data.get("progres"),
            exclude=self.person,
        )
        return data


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


def _visible_projects_and_partners(form: forms.Form, user: User) -> None:
    projects = Project.objects.visible_to(user).order_by("code")
    form.fields["project"].queryset = projects
    if "partner" in form.fields:
        partners = Organisation.objects.filter(partner_projects__in=projects).distinct()
        form.fields["partner"].queryset = partners.order_by("name")


class PersonFilterForm(FilterForm):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))
    partner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Partner"))
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("All")), *Sex.choices])
    population_group = forms.ChoiceField(
        label=_("Population group"), choices=[("", _("All")), *PopulationGroup.choices]
    )
    disability = forms.ChoiceField(
        label=_("Disability"), choices=[("", _("All")), ("yes", _("Yes")), ("no", _("No"))]
    )
    area = AreaField(label=_("Area"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _visible_projects_and_partners(self, user)


class DuplicateFilterForm(FilterForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *DuplicateCandidate.Status.choices]
    )
    source = forms.ChoiceField(
        label=_("Found"), choices=[("", _("All")), *DuplicateCandidate.Source.choices]
    )
    min_score = forms.IntegerField(label=_("Score at least (%)"), min_value=0, max_value=100)

    def __init__(self, data=None, **kwargs):
        # The queue opens on the pairs still to review.
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = DuplicateCandidate.Status.OPEN
        super().__init__(data, **kwargs)


class HouseholdFilterForm(FilterForm):
    area = AreaField(label=_("Area"))


class GroupFilterForm(FilterForm):
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All")), *Group.Kind.choices])
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        _visible_projects_and_partners(self, user)


# --- Households and groups ---------------------------------------------------------------------


class HouseholdForm(forms.Form):
    code = forms.CharField(label=_("Household code"), max_length=40)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"), required=False)

    def __init__(self, *args, user: User, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["head"] = _picker(self, "head", user, query, label=_("Head of household"))
        self.fields["area"] = AreaField(
            widget=forms.Select(attrs=AREA_WIDGET_ATTRS),
            help_text=_("Leave empty to take the area of the head of household."),
        )
        _site_field_for(self)
        self.order_fields(["code", "head", "area", "site"])

    def clean(self):
        cleaned = super().clean()
        head = cleaned.get("head")
        if head is not None and not services.person_can_edit(user=self.user, person=head):
            self.add_error("head", _("You may not change this person's record."))
        if head is not None and cleaned.get("area") is None:
            cleaned["area"], cleaned["site"] = head.area, head.site
        return cleaned


class HouseholdMemberForm(forms.Form):
    relationship = forms.CharField(
        label=_("Relationship to the head of household"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "relationships"}),
    )

    def __init__(self, *args, user: User, household, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.household = household
        self.fields["person"] = _picker(self, "person", user, query, label=_("Person"))
        self.order_fields(["person", "relationship"])

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        if person is None:
            return cleaned
        if person.household_id == self.household.pk:
            self.add_error("person", _("This person is already a member of this household."))
        elif not services.person_can_edit(user=self.user, person=person):
            self.add_error("person", _("You may not change this person's record."))
        return cleaned


class GroupForm(RegistrationFields):
    """A community group of a project; a focal point's groups belong to their partner."""

    refused = _("You may not create groups in this project for this partner.")

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "---------"), *Group.Kind.choices])
    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"), required=False)
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())

    def __init__(self, *args, user: User, projects: list[Project], **kwargs):
        super().__init__(*args, user=user, projects=projects, **kwargs)
        del self.fields["registered_on"]
        self.fields["project"].help_text = ""
        self.fields["area"] = AreaField(widget=forms.Select(attrs=AREA_WIDGET_ATTRS))
        _site_field_for(self)
        self.order_fields(["name", "kind", "project", "partner", "area", "site", "founded_on"])

    def clean_founded_on(self):
        day = self.cleaned_data.get("founded_on")
        if day is not None and day > _today():
            raise forms.ValidationError(_("The founding date cannot be in the future."))
        return day

    def group_data(self) -> dict:
        names = ["name", "kind", "project", "partner", "area", "site", "founded_on"]
        return {name: self.cleaned_data.get(name) for name in names}


class GroupMemberForm(forms.Form):
    role = forms.CharField(label=_("Role in the group"), max_length=60, required=False)
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=DateInput())

    def __init__(self, *args, user: User, group: Group, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["person"] = _picker(self, "person", user, query, label=_("Person"))
        self.order_fields(["person", "role", "joined_on"])

    def clean_joined_on(self):
        day = self.cleaned_data.get("joined_on")
        if day is not None and day > _today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        if person is not None and self.group.memberships.filter(person=person).exists():
            self.add_error("person", _("This person is already a member of this group."))
        return cleaned


# --- Eligibility rules -------------------------------------------------------------------------


class RuleSetForm(forms.Form):
    """A rule set's name, scope (the project or one of its planned activities) and dates."""

    name = forms.CharField(label=_("Name"), max_length=200)
    planned_activity = forms.ModelChoiceField(
        queryset=PlannedActivity.objects.none(),
        label=_("Planned activity"),
        required=False,
        empty_label=_("None: the whole project, checked at registration"),
    )
    reference = forms.ChoiceField(
        label=_("Ages are taken on"),
        choices=EligibilityRuleSet.Reference.choices,
        widget=forms.RadioSelect,
        initial=EligibilityRuleSet.Reference.REGISTRATION,
    )
    reference_date = forms.DateField(label=_("Reference date"), required=False, widget=DateInput())
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_activity"].queryset = PlannedActivity.objects.filter(
            project=project
        ).order_by("start_date", "pk")

    @staticmethod
    def initial_for(rule_set: EligibilityRuleSet) -> dict:
        return {name: getattr(rule_set, name) for name in services.RULE_SET_FIELDS}


class CriterionForm(forms.Form):
    """A criterion: the field, the operator, and its value in the boxes the operator uses."""

    field = forms.ChoiceField(label=_("Field"))
    operator = forms.ChoiceField(label=_("Operator"), choices=EligibilityCriterion.Operator.choices)
    low = forms.IntegerField(
        label=_("Minimum"),
        required=False,
        help_text=_("For “is between” (with the maximum, or alone) and “is at least”."),
    )
    high = forms.IntegerField(
        label=_("Maximum"), required=False, help_text=_("For “is between” and “is at most”.")
    )
    codes = forms.CharField(
        label=_("Codes"),
        required=False,
        max_length=500,
        help_text=_(
            "For lists: codes separated by commas, for example F or refugee, idp or ML07, "
            "ML05 (an area includes its sub-areas) or the codes of specific needs."
        ),
    )
    flag = forms.ChoiceField(
        label=_("Yes or no"),
        required=False,
        choices=[("", "---------"), ("yes", _("Yes")), ("no", _("No"))],
        help_text=_("For “is”: disability, estimated date of birth."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = eligibility.field_choices()

    @staticmethod
    def initial_for(criterion: EligibilityCriterion) -> dict:
        initial = {"field": criterion.field, "operator": criterion.operator}
        value, op = criterion.value, criterion.operator
        Op = EligibilityCriterion.Operator
        if op == Op.BETWEEN:
            initial["low"], initial["high"] = value
        elif op == Op.AT_LEAST:
            initial["low"] = value
        elif op == Op.AT_MOST:
            initial["high"] = value
        elif op == Op.IS:
            initial["flag"] = "yes" if value else "no"
        elif isinstance(value, list):
            initial["codes"] = ", ".join(value)
        return initial

    def criterion_data(self) -> dict:
        """The service's data: the value read from the boxes the operator uses."""
        data = self.cleaned_data
        Op = EligibilityCriterion.Operator
        op = data["operator"]
        if op == Op.BETWEEN:
            value = [data.get("low"), data.get("high")]
        elif op == Op.AT_LEAST:
            value = data.get("low")
        elif op == Op.AT_MOST:
            value = data.get("high")
        elif op == Op.IS:
            value = {"yes": True, "no": False}.get(data.get("flag") or "")
        elif op in (Op.PRESENT, Op.ABSENT):
            value = None
        else:
            value = data.get("codes", "")
        return {"field": data["field"], "operator": op, "value": value}


class ComplianceFilterForm(forms.Form):
    """The compliance report's choices: which rule set, and which partner's registrations."""

    rule_set = forms.ModelChoiceField(
        queryset=EligibilityRuleSet.objects.none(),
        label=_("Rule set"),
        required=False,
        empty_label=_("Rules checked at registration"),
    )

    def __init__(self, *args, project: Project, rule_sets, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule_set"].queryset = rule_sets
        if partners is not None:
            self.fields["partner"] = forms.ModelChoiceField(
                queryset=partners, label=_("Partner"), required=False, empty_label=_("All")
            )

    def values(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
