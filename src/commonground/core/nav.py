"""The staff navigation: fixed sections that each app registers its pages into.

Apps declare their links in a ``nav.py`` module (found by ``autodiscover`` when the app
registry is ready, as Django's admin finds ``admin.py``), so core names no app and a new
app adds its pages without touching a shared template. A section with no links is not
shown; the order of sections is fixed here so the bar reads the same in every
association.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules

# (key, label) in display order. Later apps fill Engagement, Insight, Planning, Collaboration.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("members", "Members"),
    ("data", "Data"),
    ("engagement", "Engagement"),
    ("insight", "Insight"),
    ("planning", "Planning"),
    ("collaboration", "Collaboration"),
    ("settings", "Settings"),
)
_SECTION_KEYS = {key for key, _ in SECTIONS}


@dataclass(frozen=True)
class Link:
    section: str
    label: str
    url_name: str
    # Other pages (url names) on which this link is the current one, e.g. a detail page.
    current: frozenset[str] = frozenset()
    order: int = 100
    # ``badge(request) -> int``: a count shown beside the link when above 0 (the inbox's
    # unread messages), on the pages of its own section.
    badge: Callable[[Any], int] | None = None


@dataclass
class Section:
    key: str
    label: str
    links: list[dict] = field(default_factory=list)
    is_current: bool = False


_links: dict[str, Link] = {}


def register(*, section: str, label: str, url_name: str, current: tuple[str, ...] = (),
             order: int = 100, badge: Callable[[Any], int] | None = None) -> None:
    """Add a page to a section; registering the same url name again replaces it.
    ``badge(request)`` gives a count shown beside the link (hidden when 0) on the pages
    of its section."""
    if section not in _SECTION_KEYS:
        raise ValueError(f"unknown navigation section {section!r}; one of {sorted(_SECTION_KEYS)}")
    _links[url_name] = Link(section=section, label=label, url_name=url_name,
                            current=frozenset(current) | {url_name}, order=order, badge=badge)


def autodiscover() -> None:
    autodiscover_modules("nav")


def sections(*, association_slug: str, current_url_name: str | None,
             request: Any = None) -> list[Section]:
    """The sections with links for one association's workspace, the current one marked."""
    out = []
    for key, label in SECTIONS:
        links = sorted((link for link in _links.values() if link.section == key),
                       key=lambda link: (link.order, link.label))
        if not links:
            continue
        section = Section(key=key, label=label)
        for link in links:
            try:
                href = reverse(link.url_name, kwargs={"association": association_slug})
            except NoReverseMatch:
                continue  # the page's URLs are not mounted in this deployment
            is_current = current_url_name in link.current
            section.is_current = section.is_current or is_current
            section.links.append({"label": link.label, "href": href, "is_current": is_current,
                                  "badge": 0, "_count": link.badge})
        for entry in section.links:
            count = entry.pop("_count")
            # Counted in the current section only: the others are folded away, and a page
            # elsewhere (the member list, the dashboard) keeps its query budget.
            if count is not None and section.is_current and request is not None:
                entry["badge"] = count(request)
        if section.links:
            out.append(section)
    return out


# The member portal's links (``portal:<name>`` url names), registered from the same
# ``nav.py`` modules: a domain app adds its member pages without editing the portal's template.
_portal_links: dict[str, Link] = {}


def register_portal(*, label: str, url_name: str, current: tuple[str, ...] = (),
                    order: int = 100) -> None:
    """Add a page to the member portal's bar (``url_name`` without the ``portal:`` prefix)."""
    _portal_links[url_name] = Link(section="portal", label=label, url_name=url_name,
                                   current=frozenset(current) | {url_name}, order=order)


def portal_links(*, association_slug: str, current_url_name: str | None) -> list[dict]:
    out = []
    for link in sorted(_portal_links.values(), key=lambda link: (link.order, link.label)):
        try:
            href = reverse(f"portal:{link.url_name}", kwargs={"association": association_slug})
        except NoReverseMatch:
            continue
        out.append({"label": link.label, "href": href,
                    "is_current": current_url_name in link.current})
    return out
