"""Pages of accounts: the login form and each user's own API tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from suivi.accounts import services
from suivi.accounts.models import ApiToken


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )
    error_messages = {
        "invalid_login": _(
            "Wrong email address or password. Both are case-sensitive; check the keyboard layout."
        ),
        "inactive": _("This account is disabled. Ask your administrator."),
    }


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say where the token is used, for example: Excel sheet of the Gao office."),
    )


@login_required
def token_list(request):
    """The user's API tokens; a new key is shown once, right after it is created."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], by=request.user
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request, "accounts/token_list.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    # A user reaches only their own tokens: anyone else's is absent (404).
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, gettext("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("accounts:token_list")
