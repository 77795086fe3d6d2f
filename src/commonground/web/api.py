"""The HTTP API under /api/v1, assembled: every app's router, token auth, one error format."""

from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from commonground.activity.api import router as activity_router
from commonground.activity.api_360 import router as member360_router
from commonground.collaboration.api_consortia import router as consortia_router
from commonground.collaboration.api_services import router as shared_services_router
from commonground.collaboration.api_sharing import router as sharing_router
from commonground.core.errors import DomainError
from commonground.engagement.api import router as engagement_router
from commonground.insight.api import router as insight_router
from commonground.insight.api_prospects import router as prospects_router
from commonground.membership.api import router as membership_router
from commonground.negotiation.api_decisions import router as decisions_router
from commonground.negotiation.api_meetings import router as meetings_router
from commonground.opportunities.api import router as opportunities_router
from commonground.outreach.api import router as outreach_router
from commonground.partnerships.api import router as partnerships_router
from commonground.partnerships.api_products import router as joint_products_router
from commonground.people.api import router as people_router
from commonground.people.api_merge import router as merge_router
from commonground.planning.api import router as planning_router
from commonground.planning.api_balance import router as balance_router
from commonground.planning.api_kpis import router as kpis_router
from commonground.recognition.api import router as recognition_router
from commonground.recommendations.api import router as recommendations_router
from commonground.scoring.api import router as scoring_router
from commonground.segments.api import router as segments_router
from commonground.tenancy.api import router as tenancy_router
from commonground.tenancy.api_auth import TokenAuth

DESCRIPTION = """\
Association management: people, organisations, chapters, plans, memberships, invoices,
payments and offerings of one association.

**Authentication.** Send `Authorization: Bearer cg_…`. A token belongs to one staff user
in one association and sees only that association. Create one with
`commonground staff add EMAIL --association SLUG --role ROLE --token` or `POST /tokens`.

**Lists** are cursor-paginated: `{"items": [...], "next_cursor": "…"}`. Pass
`?cursor=<next_cursor>` until it is `null`. `?limit=` defaults to 50; above 200 is served
as 200.

**Writes** accept an `Idempotency-Key` header (any unique string up to 200 characters).
A retry with the same key and the same request replays the first response with
`Idempotent-Replayed: true` and writes nothing; the same key with a different request
is a 422.

**Errors** are JSON `{"code": …, "detail": …, "fields": {"field": ["message"]}}`:
401 without a valid token, 404 for ids that do not exist in your association,
409 for conflicts (e.g. an email already on file), 422 for invalid input.

**Money** is a decimal string (`"120.00"`), never a float. Dates are ISO 8601.
"""


class CommongroundAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Document the Idempotency-Key header on every write, where clients look for it.
        header = {"in": "header", "name": "Idempotency-Key", "required": False,
                  "description": "Unique per intended write; retries with it are replayed.",
                  "schema": {"type": "string", "maxLength": 200}}
        for methods in schema.get("paths", {}).values():
            for method, op in methods.items():
                if method in ("post", "patch", "put", "delete"):
                    op.setdefault("parameters", []).append(header)
        return schema


api = CommongroundAPI(
    title="commonground API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api-1",
)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        msg = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field"
        fields.setdefault(".".join(loc) or "__all__", []).append(msg)
    return fields


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    body = {"code": "validation_failed", "detail": "Invalid input", "fields": _field_errors(exc)}
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "detail": "Not found",
                                         "fields": {}}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja raises these for e.g. an unparseable body ("Cannot parse request body").
    return api.create_response(request, {"code": "bad_request", "detail": str(exc),
                                         "fields": {}}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def unauthorised(request, exc):
    return api.create_response(request, {"code": "unauthorised",
                                         "detail": "A valid API token is required",
                                         "fields": {}}, status=401)


# Before people: its fixed paths (/people/duplicates) must win over /people/{person_id}.
api.add_router("/", merge_router)
api.add_router("/", people_router)
api.add_router("/", membership_router)
api.add_router("/", tenancy_router)
api.add_router("/", member360_router)
api.add_router("/", activity_router)
api.add_router("/", engagement_router)
api.add_router("/", scoring_router)
api.add_router("/", opportunities_router)
api.add_router("/", recognition_router)
api.add_router("/", insight_router)
api.add_router("/", prospects_router)
api.add_router("/", recommendations_router)
api.add_router("/", segments_router)
api.add_router("/", outreach_router)
api.add_router("/", planning_router)
api.add_router("/", kpis_router)
api.add_router("/", balance_router)
api.add_router("/", meetings_router)
api.add_router("/", decisions_router)
api.add_router("/", consortia_router)
api.add_router("/", shared_services_router)
api.add_router("/", sharing_router)
api.add_router("/", partnerships_router)
api.add_router("/", joint_products_router)
