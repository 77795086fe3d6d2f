"""Collaboration pages in the staff navigation (see ``core.nav``). Order: consortia 10,
shared services 20, data sharing 30 (partnerships 40 and joint products 50 are
``partnerships.nav``)."""

from commonground.core.nav import register, register_portal

from .crossing import invitations_of


def _invitations(request) -> int:
    """Invitations waiting for the association's answer (the badge beside Consortia)."""
    return len(invitations_of(request.association))


# consortia (helper consortia)
register(section="collaboration", label="Consortia", url_name="consortium_list", order=10,
         current=("consortium_new", "consortium_detail", "consortium_governance",
                  "consortium_invitation", "consortium_assess", "consortium_assessments",
                  "initiative_new", "initiative_detail", "initiative_edit",
                  "initiative_objective_new", "initiative_contribute",
                  "initiative_revenue_new"), badge=_invitations)
# data sharing (helper sharing)
register(section="collaboration", label="Data sharing", url_name="agreement_list", order=30,
         current=("agreement_new", "agreement_detail", "agreement_approve", "agreement_revoke",
                  "agreement_consents", "agreement_log", "shared_with_us", "shared_rows"))
register_portal(label="Sharing", url_name="sharing", order=70)
# shared services (helper services)
register(section="collaboration", label="Shared services", url_name="shared_service_list",
         order=20, current=("shared_service_detail", "cost_period_detail", "allocation_list"))
