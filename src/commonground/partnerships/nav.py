"""Partnership pages in the staff navigation (see ``core.nav``): partnerships 40, joint
products and approvals 50 (after collaboration's consortia, services and sharing)."""

from commonground.core.nav import register  # noqa: F401
