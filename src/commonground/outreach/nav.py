"""Outreach pages in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="insight", label="Outreach", url_name="outreach_list", order=40,
         current=("outreach_new", "outreach_detail"))
register(section="settings", label="Outreach", url_name="outreach_settings", order=70)
