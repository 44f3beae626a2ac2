"""Workflows on users, memberships and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from suivi.accounts.models import ApiToken, Membership, Organisation, User
from suivi.audit import services as audit


@transaction.atomic
def membership_grant(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    by: User | None,
    projects=(),
    partner: Organisation | None = None,
) -> Membership:
    """Give ``user`` a role in ``organisation``, optionally limited to projects and a partner."""
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, partner=partner
    )
    if projects:
        membership.projects.set(projects)
    audit.record(
        actor=by,
        action="membership.grant",
        target=membership,
        changes={
            "user": user.email,
            "role": role,
            "projects": [p.code for p in projects],
            "partner": partner.pk if partner else None,
        },
    )
    user.__dict__.pop("_suivi_scopes", None)
    return membership


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, by: User) -> tuple[ApiToken, str]:
    """Create an API token; the clear key is returned once and never stored."""
    key = "suivi_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=_digest(key), prefix=key[6:14])
    audit.record(actor=by, action="api_token.create", target=token, changes={"name": name})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=by, action="api_token.revoke", target=token)


def api_token_user(key: str) -> User | None:
    """The active user owning an unrevoked token with this key, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
