"""Collaboration pages in the staff navigation (see ``core.nav``). Order: consortia 10,
shared services 20, data sharing 30 (partnerships 40 and joint products 50 are
``partnerships.nav``)."""

from commonground.core.nav import register  # noqa: F401
