"""The person-filter language: the fields people can be filtered on, registered by the apps
that know them, and the one evaluator the member list, segments, the API and outreach all
read people through — so the same words select the same people everywhere.

* ``registry`` — ``FilterField``, ``register_filter``, the types and their operators;
* ``language`` — ``parse`` (checked tree or ``ValidationFailed`` with field paths),
  ``person_queryset``, ``normalise``, ``describe``;
* ``builders`` — ``Q`` builders for fields that are one column of ``Person``;
* ``fields`` — people's own fields (chapter, city, custom fields…).

Membership, activity, scoring, insight and recommendations register theirs in their
``filters.py`` (found by ``autodiscover`` when the app registry is ready, as ``nav.py`` is),
so this package names no app above people.
"""

from __future__ import annotations

from . import fields  # noqa: F401  (people's own fields register themselves)
from .language import (
    MAX_DEPTH,
    MAX_RULES,
    OP_LABELS,
    Group,
    Rule,
    describe,
    normalise,
    parse,
    person_queryset,
    tree_q,
)
from .registry import (
    TYPES,
    FilterField,
    WindowInput,
    autodiscover,
    filter_field,
    filter_fields,
    register_family,
    register_filter,
)

__all__ = ["MAX_DEPTH", "MAX_RULES", "OP_LABELS", "TYPES", "FilterField", "Group", "Rule",
           "WindowInput", "autodiscover", "describe", "filter_field", "filter_fields",
           "normalise", "parse", "person_queryset", "register_family", "register_filter",
           "tree_q"]
