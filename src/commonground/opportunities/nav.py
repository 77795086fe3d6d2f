"""Opportunities pages in the staff navigation and the portal bar (see ``core.nav``)."""

from commonground.core.nav import register, register_portal

register(section="engagement", label="Opportunities", url_name="opportunity_list", order=30,
         current=("opportunity_create", "opportunity_detail", "opportunity_edit",
                  "opportunity_candidates"))
register_portal(label="Opportunities", url_name="opportunities",
                current=("opportunity_detail",), order=40)
