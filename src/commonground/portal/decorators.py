"""Portal views run inside the association's scope, for the logged-in member only.

The rule lives in ``people.member_access`` so the domain apps' member pages share it.
"""

from commonground.people.member_access import member_view

__all__ = ["member_view"]
