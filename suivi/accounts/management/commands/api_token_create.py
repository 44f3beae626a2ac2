"""Create an API token for a user from the command line; the key is printed once."""

from django.core.management.base import BaseCommand, CommandError

from suivi.accounts import services
from suivi.accounts.models import User


class Command(BaseCommand):
    help = "Create an API token for the user with this email address and print its key once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("name", help="What the token is for, shown in the token list.")

    def handle(self, *args, email: str, name: str, **options):
        user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(
                f"No active user has the email address {email!r}. Check the spelling, "
                "or create the user first in /admin/."
            )
        if not name.strip():
            raise CommandError(
                "Give the token a name, for example 'Excel sheet of the Gao office'."
            )
        _token, key = services.api_token_create(user=user, name=name.strip(), by=None)
        self.stdout.write(key)
