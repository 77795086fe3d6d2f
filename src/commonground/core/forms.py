"""Form helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from .errors import DomainError

# Custom fields are rendered as ``custom_<key>`` form fields; services report them as
# ``custom.<key>``.
CUSTOM_PREFIX = "custom_"


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Attach a service's field errors to the form; unknown fields become form-level errors."""
    if not hasattr(form, "cleaned_data"):
        form.is_valid()
    generic = exc.message.startswith("Please correct")
    for name, msgs in (exc.fields or {}).items():
        target = name.replace("custom.", CUSTOM_PREFIX, 1)
        target = target if target in form.fields else None
        for msg in msgs:
            form.add_error(target, msg)
    # The summary sentence helps unless it only says "see the fields".
    if not exc.fields or not generic:
        form.add_error(None, exc.message)


def form_saved(request: HttpRequest, form: forms.Form, write: Callable[[], Any], *,
               success: str) -> bool:
    """The posted-form step every view repeats: on a valid POST run ``write`` (one service
    call); True when it succeeded (with ``success`` as the message, so the view redirects),
    False when the form is invalid or the service refused (its errors are on the form)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write()
    except DomainError as exc:
        add_domain_errors(form, exc)
        return False
    messages.success(request, success)
    return True
