from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
