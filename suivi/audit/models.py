"""The audit trail: who did what to which record, and when."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Gate, GatedQuerySet, Organisation, Role


class AuditEvent(models.Model):
    """One action on one record. Written by services in the same transaction as the change."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The project the record belongs to, when it belongs to one: kept figures of the other
    # projects stay valid (suivi/reports/indicators.py ``data_stamp``). Not a foreign key: the
    # trail outlives what it names.
    project_pk = models.BigIntegerField(null=True, blank=True, editable=False)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    target_type = models.CharField(_("record type"), max_length=60, db_index=True)
    target_id = models.CharField(_("record id"), max_length=64, blank=True)
    target_repr = models.CharField(_("record"), max_length=255, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)

    objects = GatedQuerySet.as_manager()
    gate = Gate(project=None, partner=None, roles=frozenset({Role.ADMINISTRATOR}))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["organisation", "project_pk", "id"], name="audit_org_project_id"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"
