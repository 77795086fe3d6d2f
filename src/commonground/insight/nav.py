"""Insight pages in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="insight", label="At risk", url_name="at_risk", order=10)
register(section="insight", label="Prospects", url_name="prospects", order=20)
