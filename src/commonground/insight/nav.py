"""Insight pages in the staff navigation (see ``core.nav``)."""

from commonground.core.nav import register

register(section="insight", label="Prospects", url_name="prospects", order=20)
