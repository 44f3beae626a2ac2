from suivi.accounts.models import Role, scopes_for


def navigation(request):
    """What the menu shows: the audit trail only to administrators."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    show_audit = user.is_superuser or any(s.role == Role.ADMINISTRATOR for s in scopes_for(user))
    return {"show_audit": show_audit}
