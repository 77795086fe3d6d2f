"""Engagement score pages in the staff navigation and the portal bar (see ``core.nav``)."""

from commonground.core.nav import register, register_portal

register(section="settings", label="Engagement score", url_name="score_settings", order=60)
register_portal(label="My engagement", url_name="my_engagement", order=60)
