"""Engagement pages in the staff navigation and the portal bar (see ``core.nav``)."""
