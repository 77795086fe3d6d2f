"""What the apps above people add to people's pages and data exports.

People cannot import membership, activity or the apps to come, yet the person profile
shows their panels, the member list offers their filter choices and the subject-access
export must hold everything kept on a person. Each higher app registers its part here in
its ``AppConfig.ready()``; people renders whatever is registered, in ``order``.

* ``profile_panels``: a section of the profile page (memberships and invoices, the
  activity timeline, …), rendered from its own template and context;
* ``profile_actions``: a small control on the profile's contact card (e.g. "Create portal
  login", whose view belongs to the portal);
* ``list_choices``: the options of a filter menu on the member list (plans, statuses);
* ``data_sections``: a part of the subject-access export (memberships, invoices).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import Person

# What an app's part says the audit trail should include: {object_type: [object ids]}.
AuditObjects = dict[str, list[int]]


@dataclass(frozen=True)
class ProfilePanel:
    key: str
    template: str
    # (request, person) → the template's context. Runs the panel's own queries.
    context: Callable[[HttpRequest, Person], dict[str, Any]]
    order: int = 100
    # The panel's context → the objects whose audit entries the profile's trail shows.
    audit_objects: Callable[[dict[str, Any]], AuditObjects] | None = None


@dataclass(frozen=True)
class ProfileAction:
    key: str
    template: str  # rendered with ``person`` and ``request``; decides itself when to show
    order: int = 100


@dataclass(frozen=True)
class ListChoices:
    key: str  # the template reads ``choices.<key>``
    options: Callable[[], list[tuple[Any, str]]]


@dataclass(frozen=True)
class DataSection:
    key: str  # the key in the export's JSON
    # person → (JSON-able data, the objects whose audit entries the export includes)
    export: Callable[[Person], tuple[Any, AuditObjects]]
    order: int = 100


T = TypeVar("T", ProfilePanel, ProfileAction, ListChoices, DataSection)


class Registry(Generic[T]):
    """Entries by key; registering a key again replaces it (``ready()`` may run twice in
    tests), so nothing is ever listed twice."""

    def __init__(self) -> None:
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        self._entries[entry.key] = entry
        return entry

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._entries.values(), key=lambda e: (getattr(e, "order", 0), e.key)))

    def get(self, key: str) -> T | None:
        return self._entries.get(key)


profile_panels: Registry[ProfilePanel] = Registry()
profile_actions: Registry[ProfileAction] = Registry()
list_choices: Registry[ListChoices] = Registry()
data_sections: Registry[DataSection] = Registry()
