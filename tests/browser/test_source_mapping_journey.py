"""Staff journey: fix an activity source's mapping — change a column, preview, save."""

from __future__ import annotations

import re

from django_scopes import scope
from playwright.sync_api import expect

from commonground.activity.models import Source

from .conftest import log_in_staff, open_from_nav

# The email platform renamed its "Timestamp" column to "Sent at".
SAMPLE = (b"Sent at,Action,Email Address,Campaign\r\n"
          b"2026-05-04 09:30:00,open,jane@example.org,May news\r\n"
          b"2026-05-04 09:31:00,click,jane@example.org,May news\r\n")


def test_fix_a_source_mapping_with_a_preview(page, axe_check, association, staff_user, newsletter):
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Sources", "Activity sources")
    page.get_by_role("region", name="Sources").get_by_role("link", name="Newsletter").click()
    expect(page.get_by_role("heading", level=1, name="Newsletter")).to_be_visible()
    axe_check(page)

    mapping = page.get_by_label("Mapping (TOML)")
    sample = page.get_by_label(re.compile("^Sample file"))
    sample_file = {"name": "may.csv", "mimeType": "text/csv", "buffer": SAMPLE}
    # Today's mapping reads "Timestamp": the preview shows every row would be rejected.
    sample.set_input_files(sample_file)
    page.get_by_role("button", name="Preview the first rows").click()
    expect(page.get_by_role("heading", name="Rows that would be rejected")).to_be_visible()
    axe_check(page)

    text = mapping.input_value()
    assert 'occurred_at = "Timestamp"' in text
    mapping.fill(text.replace('occurred_at = "Timestamp"', 'occurred_at = "Sent at"'))
    page.get_by_label(re.compile("^Sample file")).set_input_files(sample_file)
    page.get_by_role("button", name="Preview the first rows").click()
    preview = page.get_by_role("region", name="Mapping").get_by_role("table")
    expect(preview.get_by_role("row")).to_have_count(1 + 2)
    expect(preview.get_by_role("row").nth(1)).to_contain_text("email_open")
    expect(preview.get_by_role("row").nth(2)).to_contain_text("email_click")
    expect(page.get_by_role("heading", name="Rows that would be rejected")).to_have_count(0)
    axe_check(page)

    page.get_by_role("button", name="Save the mapping").click()
    expect(page.get_by_role("status").filter(has_text="Mapping saved")).to_be_visible()
    expect(page.get_by_label("Mapping (TOML)")).to_have_value(re.compile('occurred_at = "Sent at"'))
    axe_check(page)
    with scope(association=association):
        assert Source.objects.get(pk=newsletter.pk).mapping["fields"]["occurred_at"] == "Sent at"
