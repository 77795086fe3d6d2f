"""Dashboards that read several apps, in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="engagement", label="Engagement dashboard", url_name="engagement_dashboard", order=5)
register(section="insight", label="Insight dashboard", url_name="insight_dashboard", order=5)
