"""Engagement pages in the staff navigation and the portal bar (see ``core.nav``)."""

from commonground.core.nav import register_portal

register_portal(label="My contributions", url_name="contributions",
                current=("contribution_edit",), order=30)
register_portal(label="Notices", url_name="notices", order=90)
