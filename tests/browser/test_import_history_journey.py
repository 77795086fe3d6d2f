"""Staff journeys: import a membership history on the Import page — map its columns, watch
it finish, read the counts; and a file naming a plan that does not exist yet."""

from __future__ import annotations

import re

from django_scopes import scope
from playwright.sync_api import expect

from commonground.core.batches.tasks import run_batch
from commonground.membership.models import HistoryBatch, Plan, Term
from commonground.membership.services import plan_save

from .conftest import log_in_staff, open_from_nav

# "Mailbox" is no header the import knows: the journey maps it to the person's email.
HISTORY = (b"Mailbox,Membership Type,Start Date,End Date,Total Amount,Receive Date\r\n"
           b"ada@example.com,Gold,2021-01-01,2021-12-31,50.00,2021-01-01\r\n"
           b"ada@example.com,Gold,2022-01-01,2022-12-31,50.00,2022-01-02\r\n"
           b"grace@example.com,Gold,2022-03-01,2023-02-28,50.00,2022-03-01\r\n"
           b"bad@example.com,Gold,someday,,,\r\n")


def _upload_history(page, name: str, content: bytes):
    section = page.get_by_role("region", name=re.compile("^Membership history"))
    section.get_by_label(re.compile("^Membership history file")).set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content})
    return section


def test_import_a_membership_history_map_it_and_watch_it_finish(page, axe_check, association,
                                                                staff_user):
    with scope(association=association):
        plan_save(association=association, name="Gold", price="50", term_months=12)
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Import", "Import people")
    expect(page.get_by_role("heading", level=2, name="Roster (people and their current membership)")
           ).to_be_visible()

    section = _upload_history(page, "terms.csv", HISTORY)
    section.get_by_role("button", name="Preview and map the history columns first").click()
    expect(page.get_by_role("heading", level=1, name="Map the history columns of terms.csv")
           ).to_be_visible()
    preview = page.get_by_role("table", name="Columns of the file and their first rows")
    expect(preview).to_contain_text("grace@example.com")
    expect(page.get_by_label("Start Date", exact=True)).to_have_value("starts_on")  # recognised
    axe_check(page)
    page.get_by_label("Mailbox", exact=True).select_option(label="Person's email")
    page.get_by_role("button", name="Import history with this mapping").click()

    expect(page.get_by_role("heading", level=1, name=re.compile(r"^History import #\d+: terms\.csv$"))
           ).to_be_visible()
    progress = page.get_by_role("region", name="Progress")
    expect(progress).to_contain_text("Waiting for the task worker")
    expect(progress.get_by_role("progressbar", name="Import progress")).to_be_visible()
    axe_check(page)

    # What the task worker does; the open page polls (HTMX, every second) and reloads when done.
    with scope(association=association):
        batch = HistoryBatch.objects.get()
    run_batch.call("memberships", batch.pk)
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_be_visible(timeout=10_000)
    expect(page.get_by_role("region", name="Progress").get_by_role("status")).to_contain_text(
        "4 of 4 rows (100%)")
    facts = {"Rows read": "4", "Terms created": "3", "Rejected": "1", "Memberships created": "2",
             "Memberships renewed": "1", "Invoices created": "3", "Payments recorded": "3",
             "People created": "2"}
    for label, value in facts.items():
        expect(summary.locator(f"dt:text-is(\"{label}\") + dd")).to_have_text(value)
    expect(summary.get_by_role("link", name="Download the rejected rows")).to_be_visible()
    expect(summary).to_contain_text("Mailbox → Person's email")
    axe_check(page)

    page.get_by_role("link", name="← All imports").click()
    past = page.get_by_role("region", name="Past imports")
    row = past.get_by_role("row", name=re.compile("terms.csv"))
    expect(row).to_contain_text("Membership history")
    expect(row).to_contain_text("Done")
    axe_check(page)
    with scope(association=association):
        assert Term.objects.filter(membership__person__email_key="ada@example.com").count() == 2


def test_a_history_naming_an_unknown_plan_stops_and_creates_it_when_asked(page, axe_check,
                                                                           association, staff_user):
    log_in_staff(page, axe_check)
    open_from_nav(page, axe_check, "Import", "Import people")
    section = _upload_history(page, "monthly.csv",
                              b"Email,Level,Start Date,End Date\r\n"
                              b"ada@example.com,Bronze Monthly,2024-01-01,2024-01-31\r\n"
                              b"ada@example.com,Bronze Monthly,2024-02-01,2024-02-29\r\n")
    section.get_by_role("button", name="Import history", exact=True).click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was imported")
    expect(alert).to_contain_text("the file names a plan this association does not have — Bronze Monthly.")
    expect(alert.get_by_role("link", name="Plans page")).to_have_attribute(
        "href", re.compile(r"/a/acme/plans/$"))
    axe_check(page)
    with scope(association=association):
        assert not Plan.objects.exists() and not HistoryBatch.objects.exists()

    page.get_by_label("Create plans that don't exist yet", exact=False).check()
    page.get_by_label(re.compile("^Term of the plans created")).fill("monthly")
    page.get_by_role("button", name="Import history with this mapping").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"monthly\.csv$"))).to_be_visible()
    axe_check(page)
    with scope(association=association):
        batch = HistoryBatch.objects.get()
        assert Plan.objects.get().term_months == 1
    run_batch.call("memberships", batch.pk)
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_be_visible(timeout=10_000)
    expect(summary.locator("dt:text-is(\"Terms created\") + dd")).to_have_text("2")
    axe_check(page)
