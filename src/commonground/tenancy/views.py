"""Settings pages: roles and their side, staff, and the user's own API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonground.core.errors import DomainError
from commonground.core.forms import add_domain_errors

from . import services
from .decorators import staff_view
from .models import ApiToken, Role, Side, StaffMember


class SideForm(forms.Form):
    side = forms.ChoiceField(choices=Side.choices)


class TokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=100, initial="API token",
                           help_text="What the token is for, e.g. “CRM sync”")


def _is_admin(request: HttpRequest) -> bool:
    return any(s.role.is_admin for s in request.staff_roles)


@staff_view
def settings_index(request: HttpRequest) -> HttpResponse:
    roles = Role.objects.order_by("side", "name")
    staff = (StaffMember.objects.select_related("user", "role")
             .order_by("user__email", "role__name"))
    return render(request, "tenancy/settings.html", {
        "roles": [(r, SideForm(initial={"side": r.side}, prefix=f"role{r.pk}")) for r in roles],
        "staff": staff,
        "is_admin": _is_admin(request),
    })


@staff_view(admin=True)
def role_side(request: HttpRequest, role_id: int) -> HttpResponse:
    role = get_object_or_404(Role, pk=role_id)
    if request.method == "POST":
        form = SideForm(request.POST, prefix=f"role{role.pk}")
        if form.is_valid():
            try:
                services.role_set_side(association=request.association, role_key=role.key,
                                       side=form.cleaned_data["side"], actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{role.name} now sits on the "
                                          f"{Side(form.cleaned_data['side']).label.lower()} side.")
        else:
            messages.error(request, "Choose mission, business or both.")
    return redirect("settings_index", association=request.association.slug)


@staff_view
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            raw = services.api_token_create(association=request.association, user=request.user,
                                            name=form.cleaned_data["name"])
        except DomainError as exc:
            add_domain_errors(form, exc)
        else:
            # Shown once on this response, never stored: not a redirect on purpose.
            messages.success(request, "Token created. Copy it now: it will not be shown again.")
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    response = render(request, "tenancy/tokens.html", {"form": form, "raw": raw, "tokens": tokens})
    if raw:
        response["Cache-Control"] = "no-store"
    return response


@staff_view
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    if request.method == "POST":
        services.api_token_revoke(association=request.association, token_id=token.pk,
                                  actor=request.user)
        messages.success(request, f"Token {token.prefix}… revoked.")
    return redirect("token_list", association=request.association.slug)
