"""Collaboration pages in the staff navigation (see ``core.nav``). Order: consortia 10,
shared services 20, data sharing 30 (partnerships 40 and joint products 50 are
``partnerships.nav``)."""

from commonground.core.nav import register

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
