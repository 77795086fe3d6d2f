"""Cross-tenant proof WITH an agreement (issue 13, helper sharing): alpha and bravo take part
in one consortium and bravo shares its members' first names and emails with alpha, of the
members who consented. Walking every URL pattern (/a/, /m/) and every API GET as staff of
each association, nothing of the other crosses but those two fields of the consenting
member — only on the shared-rows page, its CSV and the API rows — and after revocation,
or expiry, not even those.

The generic walkers (``test_tenancy_isolation``) prove the same without an agreement,
including every POST; this file reuses their route filler and object builder.
"""

from __future__ import annotations

import functools
import os
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import get_resolver
from django_scopes import scope, scopes_disabled

from _api_support import ApiClient
from _sharing_support import consortium_of
from commonground.collaboration.models import SharingAgreement
from commonground.collaboration.services import sharing as ss
from commonground.membership import services as ms
from commonground.people import services as ps
from commonground.people.models import Person
from commonground.tenancy.clock import association_today
from commonground.tenancy.services import api_token_create, association_create, staff_add
from commonground.web.api import api as ninja_api
from test_tenancy_isolation import (
    API_PARAM,
    MARK_A,
    MARK_B,
    OBJECT_KWARGS,
    _build,
    _consortia_objects,
    _content,
    _patterns,
    _services_objects,
    fill,
    tenant_routes,
)

SHARED = ("Sharedfirst", "sharedmail@bravo.example")  # the named fields of the consenting row
# Never on alpha's side: the consenting member's other fields, the other member entirely.
HIDDEN = ("Hiddenlast", "Hiddencity", "+15035550199", "Unconsented", "Nobodyknows",
          "unconsented@bravo.example")
ROWS_ROUTES = ("/sharing/{id}/rows/", "/sharing/{id}/rows.csv", "/agreements/{id}/rows")
CAN_CROSS = ("commonground.collaboration.", "commonground.portal.", "commonground.web.")
# SHARING_WALK_ALL=1 walks every tenant URL pattern, not only those that can cross (about
# 25 s more a database leg: the generic walkers already visit them all).
WALK_ALL = os.environ.get("SHARING_WALK_ALL") == "1"


def _light(slug: str, mark: str) -> dict:
    """What the routes that can cross need (their kwargs): staff who is also a member, a
    membership with its invoice, a token; everything else is ``_build``'s (WALK_ALL)."""
    association = association_create(slug=slug, name=f"{mark} Society")
    staff = staff_add(association=association, email=f"boss@{slug}.example.org",
                      role_key="admin")
    objs = {"association": association, "staff": staff, "user": staff.user}
    with scope(association=association):
        objs["chapter"] = ps.chapter_create(association=association, name=f"{mark} Chapter")
        objs["person"] = ps.person_create(association=association, first_name=mark,
                                          last_name=f"{mark}son", email=f"{mark}@example.org",
                                          chapter=objs["chapter"])
        Person.objects.filter(pk=objs["person"].pk).update(user=staff.user)
        objs["plan"] = ms.plan_save(association=association, name=f"{mark} Plan",
                                    price="100.00")
        objs["membership"] = ms.membership_join(association=association, plan=objs["plan"],
                                                person=objs["person"])
        objs["invoice"] = objs["membership"].invoices.get()
        objs["raw_token"] = api_token_create(association=association, user=staff.user)
        # Collaboration's own pages can cross too: their objects (consortia, services).
        _consortia_objects(association, mark, objs)
        _services_objects(association, mark, objs)
    return objs


@pytest.fixture
def shared_world(db):
    build = _build if WALK_ALL else _light
    a, b = build("alpha", MARK_A), build("bravo", MARK_B)
    alpha, bravo = a["association"], b["association"]
    consortium_of(bravo, alpha, name="Health alliance")
    with scope(association=bravo):
        for first, last, email, consents in (
                ("Sharedfirst", "Hiddenlast", SHARED[1], True),
                ("Unconsented", "Nobodyknows", "unconsented@bravo.example", False)):
            person = ps.person_create(association=bravo, first_name=first, last_name=last,
                                      email=email, phone="+15035550199", city="Hiddencity",
                                      chapter=b["chapter"])
            ms.membership_join(association=bravo, plan=b["plan"], person=person)
            if consents:
                b["consenting"] = person
        agreement = ss.agreement_propose(
            association=bravo, partner=alpha, title="Conference invitations",
            purpose="The joint conference", fields=["first_name", "email"],
            expires_on=association_today(bravo) + timedelta(days=365), actor=b["user"])
        ss.consent_give(association=bravo, agreement=agreement, person=b["consenting"])
    with scope(association=alpha):
        ss.agreement_approve(association=alpha, agreement=agreement, actor=a["user"])
    return a, b, agreement


def _leaks(text: str, *, own_mark: str, other_mark: str, other_name: str) -> list[str]:
    """What of the other association shows in ``text`` besides its name."""
    found = [h for h in HIDDEN if h in text]
    if other_mark in text.replace(other_name, ""):
        found.append(other_mark)
    return found


def _can_cross(callback) -> bool:
    """Whether a view could read across associations at all: only ``collaboration.crossing``
    lifts the tenancy scope (test_architecture), and the layers contract lets only
    collaboration and the apps above it (portal, web) import it. Every other page runs in
    the reader's scope alone, which the generic walkers prove route by route."""
    return callback.__module__.startswith(CAN_CROSS)


def _routes(only_sharing: bool) -> list[str]:
    found = {route: p.callback for route, p in _patterns(get_resolver().url_patterns)}
    routes = [r for r in tenant_routes() if WALK_ALL or _can_cross(found[r])]
    if only_sharing:
        routes = [r for r in routes if "agreement_id" in r or "sharing" in r]
    return routes


def _walk_ui(objs: dict, agreement, *, only_sharing: bool = False):
    """GET the tenant URLs (see ``_routes``) as objs' staff user with its own objects (and
    the shared agreement): {url: (status, content)}."""
    client = Client(raise_request_exception=False)
    client.force_login(objs["user"])
    mine = {**objs, "agreement": agreement}
    out = {}
    for route in _routes(only_sharing):
        url = fill(route, objs["association"].slug, mine)
        response = client.get(url)
        out[url] = (response.status_code, _content(response))
    return out


@functools.cache
def _api_gets(only_sharing: bool) -> list[str]:
    """The API's GET paths whose handler could cross (by module, as ``_can_cross``)."""
    schema = ninja_api.get_openapi_schema(path_prefix="")
    module = {c.replace(".", "_") for c in CAN_CROSS}
    return [path for path, methods in schema["paths"].items()
            if "get" in methods and (WALK_ALL or methods["get"]["operationId"].startswith(
                tuple(module))) and (not only_sharing or "agreement" in path)]


def _walk_api(objs: dict, agreement, *, only_sharing: bool = False):
    client = ApiClient(objs["raw_token"])
    mine = {**objs, "agreement": agreement}
    out = {}
    for path in _api_gets(only_sharing):
        url = API_PARAM.sub(lambda m: str(mine[OBJECT_KWARGS[m[1]]].pk), path)
        response = client.get(url, {"limit": 200} if "{" not in path else None)
        out["/api/v1" + url] = (response.status_code, _content(response))
    return out


def _is_rows(url: str, agreement) -> bool:
    return url.endswith(tuple(r.format(id=agreement.pk) for r in ROWS_ROUTES))


def test_only_the_named_fields_of_consenting_rows_cross_and_none_after_revocation(
        shared_world):
    a, b, agreement = shared_world
    alpha_name, bravo_name = a["association"].name, b["association"].name

    # Alpha (the recipient): B's data shows only as the two named fields, only on the rows.
    seen = {**_walk_ui(a, agreement), **_walk_api(a, agreement)}
    failures = []
    for url, (status, text) in seen.items():
        if status >= 500:
            failures.append(f"{url} → {status}")
        if leaks := _leaks(text, own_mark=MARK_A, other_mark=MARK_B, other_name=bravo_name):
            failures.append(f"{url} shows {leaks}")
        if not _is_rows(url, agreement) and any(s in text for s in SHARED):
            failures.append(f"{url} shows the shared fields outside the rows")
    assert len(seen) > 25, len(seen)  # the walker saw the collaboration and portal pages
    rows = [url for url in seen if _is_rows(url, agreement)]
    assert len(rows) == 3, rows  # the page, the CSV and the API
    for url in rows:
        status, text = seen[url]
        assert status == 200 and all(s in text for s in SHARED), (url, status, text[:200])
    assert not failures, "\n".join(failures)

    # Bravo (the grantor): nothing of alpha's crosses the other way, not even through the
    # agreement (alpha shares nothing), and bravo can't read its own agreement as rows.
    seen = {**_walk_ui(b, agreement), **_walk_api(b, agreement)}
    failures = [f"{url} → {status}" for url, (status, text) in seen.items() if status >= 500]
    failures += [f"{url} shows {MARK_A}" for url, (_, text) in seen.items()
                 if MARK_A in text.replace(alpha_name, "")]
    failures += [f"{url} → {seen[url][0]}" for url in seen if _is_rows(url, agreement)
                 and seen[url][0] != 404]
    assert not failures, "\n".join(failures)

    # Revoked: every page and API route of the agreement refuses the rows; nothing of
    # bravo's members shows anywhere on alpha's side.
    with scope(association=b["association"]):
        ss.agreement_revoke(association=b["association"], agreement=agreement,
                            reason="Conference over", actor=b["user"])
    _assert_nothing_crosses(a, agreement, bravo_name, "revoked")

    # Expired (status active again, expiry yesterday in bravo's zone): the same.
    with scopes_disabled():
        today = association_today(b["association"])
        SharingAgreement.objects.filter(pk=agreement.pk).update(
            status="active", revoked_at=None, starts_on=today - timedelta(days=30),
            expires_on=today - timedelta(days=1))
    _assert_nothing_crosses(a, agreement, bravo_name, "expired")


def _assert_nothing_crosses(a: dict, agreement, bravo_name: str, word: str) -> None:
    seen = {**_walk_ui(a, agreement, only_sharing=True),
            **_walk_api(a, agreement, only_sharing=True)}
    failures = []
    for url, (status, text) in seen.items():
        if any(s in text for s in SHARED) or _leaks(text, own_mark=MARK_A, other_mark=MARK_B,
                                                    other_name=bravo_name):
            failures.append(f"{url} ({status}) still shows bravo's data after {word}")
        if _is_rows(url, agreement) and (status not in (404, 409) or word not in text):
            failures.append(f"{url} → {status}, not refused as {word}")
    assert not failures, "\n".join(failures)
