"""Staff of an association, from the command line (scriptable deployments).

    commonground staff add EMAIL --association SLUG --role ROLE [--password P] [--token]
    commonground staff list --association SLUG
    commonground staff token revoke --association SLUG --prefix PREFIX

``staff add --token`` prints the new API token as its last line, so a deployment script
can capture it with ``| tail -n1``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from commonground.core.errors import DomainError
from commonground.tenancy import services
from commonground.tenancy.cli import association_named
from commonground.tenancy.models import ApiToken, StaffMember


class Command(BaseCommand):
    help = "Add and list staff of an association; issue and revoke their API tokens."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a staff user, or give an existing one a role")
        add.add_argument("email")
        add.add_argument("--association", required=True, help="Association slug")
        add.add_argument("--role", required=True, help="Role key, e.g. admin, membership")
        add.add_argument("--password", help="Set the password (otherwise left unusable/unchanged)")
        add.add_argument("--token", action="store_true",
                         help="Also issue an API token and print it as the last line")
        add.add_argument("--token-name", default="API token")

        lst = sub.add_parser("list", help="Staff and their roles")
        lst.add_argument("--association", required=True)

        tok = sub.add_parser("token", help="API tokens")
        tok_sub = tok.add_subparsers(dest="token_action", required=True)
        rev = tok_sub.add_parser("revoke", help="Revoke a token by the prefix shown at creation")
        rev.add_argument("--association", required=True)
        rev.add_argument("--prefix", required=True, help="First characters of the token (cg_…)")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except DomainError as exc:
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message}{' (' + details + ')' if details else ''}")

    def _add(self, *, email: str, association: str, role: str, password: str | None,
             token: bool, token_name: str, **_) -> None:
        assoc = association_named(association)
        staff = services.staff_add(association=assoc, email=email, role_key=role,
                                   password=password)
        self.stdout.write(f"{staff.user.email} is {role} in {assoc.slug}")
        if token:
            raw = services.api_token_create(association=assoc, user=staff.user, name=token_name)
            self.stdout.write(raw)

    def _list(self, *, association: str, **_) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            rows = (StaffMember.objects.select_related("user", "role")
                    .order_by("user__email", "role__key"))
            for s in rows:
                tokens = ApiToken.objects.filter(user=s.user, revoked_at__isnull=True).count()
                self.stdout.write(f"{s.user.email}\t{s.role.key}\t{s.role.side}\t"
                                  f"{tokens} live token(s)")

    def _token(self, *, token_action: str, association: str, prefix: str, **_) -> None:
        assoc = association_named(association)
        with scope(association=assoc):
            matches = list(ApiToken.objects.filter(prefix__startswith=prefix[:10],
                                                   revoked_at__isnull=True))
            matches = [t for t in matches if t.prefix.startswith(prefix[:10])]
        if not matches:
            raise CommandError(f"No live token starting with {prefix!r} in {assoc.slug}")
        if len(matches) > 1:
            raise CommandError(f"{len(matches)} tokens start with {prefix!r}; give more characters")
        services.api_token_revoke(association=assoc, token_id=matches[0].pk)
        user = get_user_model().objects.get(pk=matches[0].user_id)
        self.stdout.write(f"Revoked token {matches[0].prefix}… of {user.email}")
