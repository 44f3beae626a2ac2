"""Users, organisations and their memberships in the Django admin; API tokens read only.

Changes made here are written to the audit trail (``AuditedModelAdmin``). Users log in with
their email address. API tokens are created by their owner on the token page, which shows the
key once; here they can only be read and revoked.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from suivi.accounts import services
from suivi.accounts.models import ApiToken, Membership, Organisation, User
from suivi.audit.admin import AuditedModelAdmin


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "acronym", "kind", "country", "iati_identifier"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "acronym", "iati_identifier"]
    ordering = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["organisation", "role", "partner", "projects"]
    autocomplete_fields = ["organisation", "partner"]
    filter_horizontal = ["projects"]
    verbose_name = _("membership")
    verbose_name_plural = _("memberships")


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    """Users identified by their email address; their roles are their memberships."""

    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    inlines = [MembershipInline]
    list_display = ["email", "first_name", "last_name", "language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "language", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Permissions"),
            {
                "fields": ["is_active", "is_staff", "is_superuser"],
                "description": _(
                    "What a user sees in Suivi comes from their memberships below; staff status "
                    "only opens this administration site."
                ),
            },
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "usable_password", "password1", "password2"],
            },
        )
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_inlines(self, request, obj):
        # A new user is saved first; their memberships are given on the page that follows.
        return self.inlines if obj is not None else []


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read only: only the SHA-256 digest of a key is stored, so nothing here can reveal one."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    list_select_related = ["user"]
    fields = ["user", "name", "prefix", "digest", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            services.api_token_revoke(token=token, by=request.user)
        self.message_user(
            request,
            ngettext("%(n)s token is revoked.", "%(n)s tokens are revoked.", len(tokens))
            % {"n": len(tokens)},
            messages.SUCCESS,
        )

    def has_revoke_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
