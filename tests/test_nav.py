"""The staff navigation: sections that apps register their pages into."""

import re

import pytest

from commonground.core import nav


def _sections(html: str) -> dict[str, list[str]]:
    out = {}
    for summary, body in re.findall(r"<summary>(.*?)</summary>\s*<ul>(.*?)</ul>", html, re.S):
        out[summary] = re.findall(r">([^<>]+)</a>", body)
    return out


def test_pages_are_grouped_into_sections_in_a_fixed_order(staff_client, scoped):
    html = staff_client.get(f"/a/{scoped.slug}/").content.decode()
    sections = _sections(html)
    # Empty sections are not shown.
    assert list(sections) == ["Members", "Data", "Engagement", "Insight", "Planning",
                              "Collaboration", "Settings"]
    assert "Joint products" in sections["Collaboration"]  # approvals (H5)
    assert "Consortia" in sections["Collaboration"]  # consortia
    assert "Data sharing" in sections["Collaboration"]  # issue 13, helper sharing
    assert "Partnerships" in sections["Collaboration"]
    assert "Shared services" in sections["Collaboration"]  # services
    assert "Metrics" in sections["Planning"]  # kpis: the metric catalogue
    # The meetings part's pages (the plan, balance, decisions and forms add theirs).
    assert {"Meetings", "Operations manual", "Inbox"} <= set(sections["Planning"])
    assert "Balance" in sections["Planning"]
    assert {"At risk", "Prospects", "Insight dashboard", "Next-best offering",
            "Segments", "Outreach"} <= set(sections["Insight"])
    assert "Engagement dashboard" in sections["Engagement"]
    assert sections["Members"] == ["People", "Organisations", "Chapters", "Duplicates"]
    assert sections["Data"] == ["Import", "Sources", "Source health", "Unmatched"]
    # The engagement apps add theirs; these are engagement's own.
    assert {"Contributions", "Peer groups", "Opportunities",
            "Recognition", "Experts"} <= set(sections["Engagement"])
    assert sections["Settings"][:4] == ["Association", "Plans", "Offerings", "Custom fields"]
    assert {"Taxonomies", "Engagement score", "Badges"} <= set(sections["Settings"])


def test_the_current_page_and_its_section_are_marked(staff_client, scoped, jane):
    html = staff_client.get(f"/a/{scoped.slug}/people/{jane.pk}/").content.decode()
    assert '<details class="navsec current" name="staffnav">\n  <summary>Members</summary>' in html
    assert f'<a href="/a/{scoped.slug}/people/" aria-current="page">People</a>' in html
    assert html.count('aria-current="page"') == 1


def test_an_app_adds_a_page_by_registering_it(staff_client, scoped):
    try:
        nav.register(section="collaboration", label="Dashboard again", url_name="dashboard")
        sections = _sections(staff_client.get(f"/a/{scoped.slug}/people/").content.decode())
        # Collaboration's own pages (consortia, services, sharing, partnerships) come first.
        assert sections["Collaboration"][-1] == "Dashboard again"
        assert list(sections) == ["Members", "Data", "Engagement", "Insight", "Planning",
                                  "Collaboration", "Settings"]
    finally:
        nav._links.pop("dashboard")


def test_an_unknown_section_is_refused():
    with pytest.raises(ValueError, match="unknown navigation section"):
        nav.register(section="misc", label="X", url_name="x")


def test_the_plan_is_the_first_planning_page(staff_client, scoped):
    # Part B ("plan"): the plan page opens the Planning section.
    sections = _sections(staff_client.get(f"/a/{scoped.slug}/planning/").content.decode())
    assert sections["Planning"][0] == "Plan"


def test_a_link_can_carry_a_count(staff_client, scoped, staff_user):
    """The meetings part's inbox shows its unread messages beside the link, on the pages
    of the Planning section (elsewhere the section is folded and nothing is counted)."""
    from commonground.negotiation.services import inbox_send

    inbox_send(association=scoped, users=[staff_user], subject="Minutes", email=False)
    badge = 'Inbox</a> <span class="badge open">1<span class="visually-hidden"> new</span>'
    assert badge in staff_client.get(f"/a/{scoped.slug}/meetings/").content.decode()
    assert 'Inbox</a></li>' in staff_client.get(f"/a/{scoped.slug}/people/").content.decode()
