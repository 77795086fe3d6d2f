"""Staff journey: import a roster on the Import page and watch its progress until it is done."""

from __future__ import annotations

import re

from django_scopes import scope
from playwright.sync_api import expect

from commonground.core.batches.tasks import run_batch
from commonground.people.models import ImportBatch, Person

from .conftest import log_in_staff, open_from_nav

ROSTER = (b"First Name,Last Name,Email\r\n"
          b"Ada,Lovelace,ada@example.com\r\n"
          b"Grace,Hopper,grace@example.com\r\n"
          b"Bad,Row,not-an-email\r\n")


def test_import_a_roster_and_watch_it_finish(page, axe_check, association, staff_user):
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Import", "Import people")

    page.get_by_label(re.compile("^Roster file")).set_input_files(
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": ROSTER})
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"roster\.csv$"))).to_be_visible()
    progress = page.get_by_role("region", name="Progress")
    expect(progress).to_contain_text("Waiting for the task worker")
    expect(progress.get_by_role("progressbar", name="Import progress")).to_be_visible()
    axe_check(page)

    # What the task worker does; the open page polls (HTMX, every second) and reloads when done.
    with scope(association=association):
        batch = ImportBatch.objects.get()
    run_batch.call("people", batch.pk)
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_be_visible(timeout=10_000)
    expect(page.get_by_role("region", name="Progress").get_by_role("status")).to_contain_text(
        "3 of 3 rows (100%)")
    facts = {"Rows read": "3", "People created": "2", "People updated": "0", "Rejected": "1"}
    for label, value in facts.items():
        expect(summary.locator(f"dt:text-is('{label}') + dd")).to_have_text(value)
    expect(summary.get_by_role("link", name="Download the errors file")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="← All imports").click()
    past = page.get_by_role("region", name="Past imports")
    expect(past.get_by_role("row", name=re.compile("roster.csv"))).to_contain_text("Done")
    axe_check(page)
    with scope(association=association):
        assert Person.objects.filter(email_key__in=["ada@example.com", "grace@example.com"]).count() == 2


def test_map_the_columns_of_a_roster_before_importing_it(page, axe_check, association, staff_user):
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Import", "Import people")
    page.get_by_label(re.compile("^Roster file")).set_input_files(
        {"name": "odd.csv", "mimeType": "text/csv",
         "buffer": b"Given,Family,Mailbox\r\nAda,Lovelace,ada@example.com\r\n"})
    page.get_by_role("button", name="Preview and map the columns first").click()
    expect(page.get_by_role("heading", level=1, name="Map the columns of odd.csv")).to_be_visible()
    preview = page.get_by_role("table", name="Columns of the file and their first rows")
    expect(preview).to_contain_text("ada@example.com")
    axe_check(page)
    for column, field in (("Given", "First name"), ("Family", "Last name"), ("Mailbox", "Email")):
        page.get_by_label(column, exact=True).select_option(label=field)
    page.get_by_role("button", name="Import with this mapping").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"odd\.csv$"))).to_be_visible()
    axe_check(page)
    with scope(association=association):
        batch = ImportBatch.objects.get()
    run_batch.call("people", batch.pk)
    expect(page.get_by_role("region", name="Summary")).to_be_visible(timeout=10_000)
    axe_check(page)
    with scope(association=association):
        ada = Person.objects.get(email_key="ada@example.com")
        assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")
