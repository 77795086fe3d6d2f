"""The Import page for a membership history: upload, the mapping step, unknown plans, the
progress and summary of the run, the rejected rows, tenancy and the list of both kinds."""

from __future__ import annotations

import itertools
import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from commonground.core.batches.files import save_upload
from commonground.core.batches.tasks import run_batch
from commonground.membership.history.services import history_prepare
from commonground.membership.models import HistoryBatch, Membership, Plan, Term
from commonground.membership.roster.services import import_prepare
from commonground.membership.services import plan_save
from commonground.people.models import ImportBatch, Person
from commonground.tenancy.services import staff_add


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def gold(association):
    with scope(association=association):
        return plan_save(association=association, name="Gold", price="50", term_months=12)


# Ada: two consecutive annual terms, a gap, then a reinstatement; Grace: one unpaid term;
# one row without a usable start date, rejected on line 6.
HISTORY = (b"Email,First Name,Last Name,Membership Type,Start Date,End Date,Total Amount,"
           b"Receive Date\r\n"
           b"ada@example.com,Ada,Lovelace,Gold,2021-01-01,2021-12-31,50.00,2021-01-01\r\n"
           b"ada@example.com,Ada,Lovelace,Gold,2022-01-01,2022-12-31,50.00,2022-01-03\r\n"
           b"ada@example.com,Ada,Lovelace,Gold,2023-06-01,2024-05-31,55.00,2023-06-01\r\n"
           b"grace@example.com,Grace,Hopper,Gold,2022-03-01,2023-02-28,,\r\n"
           b"bad@example.com,Bad,Row,Gold,not-a-date,,,\r\n")

INDEX = reverse("import_index", kwargs={"association": "acme"})
UPLOAD = reverse("import_history_index", kwargs={"association": "acme"})
MAP = reverse("import_history_map", kwargs={"association": "acme"})


def _url(name: str, batch_id: int, slug: str = "acme") -> str:
    return reverse(name, kwargs={"association": slug, "batch_id": batch_id})


def _upload(client, content=HISTORY, name="history.csv", **data):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, "text/csv"), **data})


def _token(html: str) -> str:
    return re.search(r'name="upload" value="([0-9a-f]+)"', html).group(1)


def _selected(html: str, index: int) -> str:
    select = re.search(rf'<select name="col-{index}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def _fact(html: str, label: str) -> str:
    return re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", html).group(1)


def test_the_import_page_offers_a_roster_and_a_membership_history(association, staff_client):
    html = staff_client.get(INDEX).content.decode()
    assert "Roster (people and their current membership)" in html
    assert "Membership history (one row per term, renewal or payment" in html
    assert f'action="{UPLOAD}"' in html and f'action="{INDEX}"' in html  # two forms
    assert '<label for="id_file">Roster file (CSV or XLSX)</label>' in html
    assert '<label for="id_history_file">Membership history file (CSV or XLSX)</label>' in html
    assert 'name="create_plans"' in html and 'name="plan_term"' in html
    assert 'id="id_history_dayfirst"' in html
    assert staff_client.get(UPLOAD)["Location"].endswith("/import/#history-h")


def test_upload_runs_as_a_task_with_progress_summary_and_rejected_rows(
        association, gold, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = _upload(staff_client)
    assert response.status_code == 302
    with scope(association=association):
        batch = HistoryBatch.objects.get()
    # Handed to the task worker once the batch is committed.
    assert len(queued) == 1
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("run_batch")
    assert task.args_kwargs["args"] == ["memberships", batch.pk]
    assert response["Location"] == _url("import_history_detail", batch.pk)
    detail = staff_client.get(response["Location"]).content.decode()
    assert f"<h1>History import #{batch.pk}: history.csv</h1>" in detail
    assert 'http-equiv="refresh"' in detail  # progress without JavaScript …
    assert f'hx-get="{_url("import_history_progress", batch.pk)}"' in detail  # … live with HTMX
    assert 'hx-trigger="every 1s"' in detail and "Waiting for the task worker" in detail
    assert f'href="{_url("import_history_detail", batch.pk)}">Reload</a>' in detail

    run_batch.call("memberships", batch.pk)  # what the worker does

    detail = staff_client.get(response["Location"]).content.decode()
    assert "http-equiv" not in detail and "hx-get" not in detail
    counts = {"Rows read": "5", "Terms created": "4", "Unchanged": "0", "Rejected": "1",
              "Memberships created": "2", "Memberships renewed": "1",
              "Memberships reinstated": "1", "Invoices created": "3", "Payments recorded": "3",
              "People created": "2"}
    assert {label: _fact(detail, label) for label in counts} == counts
    assert int(_fact(detail, "Memberships lapsed")) >= 1  # the gap (and any lapse since)
    assert "Start Date → Term start" in detail and "Membership Type → Plan" in detail

    errors = _url("import_history_errors", batch.pk)
    assert f'href="{errors}"' in detail
    download = staff_client.get(errors)
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content).decode()
    assert "bad@example.com" in body and "not-a-date" in body and ",6," in body

    progress = staff_client.get(_url("import_history_progress", batch.pk), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    assert "HX-Refresh" not in staff_client.get(_url("import_history_progress", batch.pk))
    with scope(association=association):
        ada = Membership.objects.get(person__email_key="ada@example.com")
        assert Term.objects.filter(membership=ada).count() == 3
        assert Person.objects.filter(email_key="grace@example.com").exists()

    # Importing the same file again adds nothing; while it waits, a second upload is the same run.
    again = _upload(staff_client)
    with scope(association=association):
        second = HistoryBatch.objects.exclude(pk=batch.pk).get()
    assert again["Location"] == _url("import_history_detail", second.pk)
    twice = _upload(staff_client)
    assert twice["Location"] == again["Location"]
    assert b"This file was already being imported" in staff_client.get(twice["Location"]).content
    run_batch.call("memberships", second.pk)
    html = staff_client.get(again["Location"]).content.decode()
    assert (_fact(html, "Terms created"), _fact(html, "Unchanged")) == ("0", "4")
    with scope(association=association):
        assert Term.objects.count() == 4


def test_the_list_shows_both_kinds_with_a_bounded_number_of_queries(
        association, gold, staff_client, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"Email\r\nlin@example.com\r\n")
    history = tmp_path / "terms.csv"

    counter = itertools.count()

    def add(n: int) -> None:
        with scope(association=association):
            for _ in range(n):
                i = next(counter)
                roster.write_bytes(b"Email\r\nlin%d@example.com\r\n" % i)
                import_prepare(association=association, path=roster, file_name="roster.csv")
                history.write_bytes(b"Email,Membership Type,Start Date\r\n"
                                    b"x%d@example.com,Gold,2024-01-01\r\n" % i)
                history_prepare(association=association, path=history, file_name="terms.csv")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(INDEX).status_code == 200
        return len(ctx.captured_queries)

    add(2)
    few = queries()
    add(6)
    html = staff_client.get(INDEX).content.decode()
    assert queries() == few <= 12
    with scope(association=association):
        latest_history = HistoryBatch.objects.first()
        latest_roster = ImportBatch.objects.first()
    assert f'href="{_url("import_history_detail", latest_history.pk)}">History import #' in html
    assert f'href="{_url("import_detail", latest_roster.pk)}">Roster import #' in html
    assert html.count("<td>Membership history</td>") == 8 and html.count("<td>Roster</td>") == 8


def test_the_mapping_step_previews_the_file_and_runs_with_the_chosen_columns(
        association, gold, staff_client):
    odd = (b"Mailbox,Level,Began,Finished,Fee,Notes\r\n"
           b"ada@example.com,Gold,01/02/2022,31/01/2023,50,first\r\n"
           b"ada@example.com,Gold,01/02/2023,31/01/2024,50,second\r\n")
    response = _upload(staff_client, odd, "odd.csv", action="map")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Map the history columns of odd.csv</h1>" in html
    for cell in ("ada@example.com", "01/02/2022", "31/01/2024", "first", "second"):
        assert f"<td>{cell}</td>" in html  # the first rows as in the file
    assert '<th scope="col">Line 2</th>' in html and '<th scope="col">Line 3</th>' in html
    assert '<label for="col-0">Mailbox</label>' in html
    assert _selected(html, 1) == "plan"  # "Level" is recognised …
    assert _selected(html, 4) == "amount"
    assert _selected(html, 0) == "ignore"  # … "Mailbox" is not
    for value, label in (("email", "Person&#x27;s email"), ("external_id", "Member ID"),
                         ("starts_on", "Term start"), ("ends_on", "Term end"),
                         ("paid_on", "Date paid"), ("invoice_number", "Invoice number"),
                         ("payment_method", "Payment method"), ("ignore", "— not imported —")):
        assert f'<option value="{value}">{label}</option>' in html or \
            f'<option value="{value}" selected>{label}</option>' in html
    with scope(association=association):
        assert not HistoryBatch.objects.exists()  # nothing runs before the mapping is chosen

    response = staff_client.post(MAP, {
        "upload": _token(html), "file_name": "odd.csv", "dayfirst": "on", "col-0": "email",
        "col-1": "plan", "col-2": "starts_on", "col-3": "ends_on", "col-4": "amount",
        "col-5": "ignore"})
    assert response.status_code == 302
    with scope(association=association):
        batch = HistoryBatch.objects.get()
    assert response["Location"] == _url("import_history_detail", batch.pk)
    assert batch.options["dayfirst"] is True and batch.options["columns"]["mailbox"] == "email"
    run_batch.call("memberships", batch.pk)
    html = staff_client.get(response["Location"]).content.decode()
    assert (_fact(html, "Terms created"), _fact(html, "Rejected")) == ("2", "0")
    assert "Mailbox → Person&#x27;s email" in html
    with scope(association=association):
        terms = list(Term.objects.order_by("starts_on").values_list("starts_on", "ends_on"))
    assert [(str(a), str(b)) for a, b in terms] == [("2022-02-01", "2023-01-31"),
                                                    ("2023-02-01", "2024-01-31")]


def test_a_spreadsheet_is_previewed_and_imported(association, gold, staff_client, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Member ID", "Email", "Level", "Start Date", "End Date", "Amount", "Date Paid"])
    sheet.append(["M1", "ada@example.com", "Gold", date(2023, 1, 1), date(2023, 12, 31), 50,
                  date(2023, 1, 2)])
    sheet.append(["M1", "ada@example.com", "Gold", date(2024, 1, 1), date(2024, 12, 31), 50,
                  date(2024, 1, 2)])
    path = tmp_path / "terms.xlsx"
    workbook.save(path)
    html = _upload(staff_client, path.read_bytes(), "terms.xlsx", action="map").content.decode()
    assert "<td>2023-01-01</td>" in html and _selected(html, 0) == "external_id"
    response = staff_client.post(MAP, {"upload": _token(html), "file_name": "terms.xlsx"})
    assert response.status_code == 302  # the detected columns, unchanged
    with scope(association=association):
        batch = HistoryBatch.objects.get()
    run_batch.call("memberships", batch.pk)
    html = staff_client.get(response["Location"]).content.decode()
    assert (_fact(html, "Terms created"), _fact(html, "Memberships renewed")) == ("2", "1")
    assert (_fact(html, "Payments recorded"), _fact(html, "Rejected")) == ("2", "0")


def test_a_mapping_without_the_plan_is_refused_on_the_step(association, gold, staff_client):
    html = _upload(staff_client, action="map").content.decode()
    response = staff_client.post(MAP, {"upload": _token(html), "file_name": "history.csv",
                                       "col-0": "email", "col-3": "ignore", "col-4": "starts_on"})
    assert response.status_code == 400 and b'role="alert"' in response.content
    assert b"plan" in response.content
    assert _selected(response.content.decode(), 3) == "ignore"  # the choices are kept
    with scope(association=association):
        assert not HistoryBatch.objects.exists()


def test_unknown_plans_are_named_with_a_link_to_the_plans_page_and_nothing_is_written(
        association, gold, staff_client):
    content = HISTORY.replace(b"grace@example.com,Grace,Hopper,Gold",
                              b"grace@example.com,Grace,Hopper,Platinum") \
        + b"lin@example.com,Lin,Ng,Bronze Monthly,2024-01-01,2024-01-31,5,2024-01-01\r\n"
    response = _upload(staff_client, content)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported: the file names 2 plans" in html
    assert "<strong>Bronze Monthly</strong>, <strong>Platinum</strong>." in html
    assert f'href="{reverse("plan_list", kwargs={"association": "acme"})}">Plans page</a>' in html
    assert "Create plans that don't exist yet" in html
    with scope(association=association):
        assert not HistoryBatch.objects.exists() and not Person.objects.exists()
        assert list(Plan.objects.values_list("name", flat=True)) == ["Gold"]

    # Creating plans needs their term …
    page = {"upload": _token(html), "file_name": "history.csv", "create_plans": "on"}
    refused = staff_client.post(MAP, page)
    assert refused.status_code == 400 and b"Give the term of the plans to create" in refused.content
    refused = staff_client.post(MAP, {**page, "plan_term": "fortnightly"})
    assert refused.status_code == 400 and b"Term of the plans to create" in refused.content
    with scope(association=association):
        assert Plan.objects.count() == 1
    # … and with it, the same upload (still there) runs and the plans exist.
    response = staff_client.post(MAP, {**page, "plan_term": "monthly"})
    assert response.status_code == 302
    with scope(association=association):
        batch = HistoryBatch.objects.get()
        assert dict(Plan.objects.values_list("name", "term_months")) == {
            "Gold": 12, "Platinum": 1, "Bronze Monthly": 1}
    run_batch.call("memberships", batch.pk)
    assert _fact(staff_client.get(response["Location"]).content.decode(), "Terms created") == "5"


def test_a_file_with_many_unknown_plans_names_the_first_ten(association, staff_client):
    rows = b"".join(b"ada@example.com,Plan %02d,2024-01-01\r\n" % i for i in range(14))
    response = _upload(staff_client, b"Email,Membership Type,Start Date\r\n" + rows)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<strong>Plan 00</strong>, <strong>Plan 01</strong>" in html
    assert "<strong>Plan 09</strong> and 4 more." in html
    assert "Plan 10" not in html.split('id="mapping-error"')[1].split("</div>")[0]


def test_a_file_that_is_not_a_history_is_refused_beside_its_form(association, staff_client):
    response = _upload(staff_client, b"%PDF", "notes.pdf")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="history-file-error">notes.pdf: not a CSV or XLSX file.' in html
    assert 'id="file-error"' not in html  # the roster form has no error
    assert f'action="{INDEX}"' in html  # the roster form still posts to its own page
    # A file that reads but whose columns say nothing known goes to the mapping step.
    response = _upload(staff_client, b"Foo,Bar\r\n1,2\r\n", "x.csv")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Map the history columns of x.csv</h1>" in html
    assert re.search(r'role="alert" id="mapping-error"><p>[^<]*no column for the member', html)
    assert "--mapping" not in html
    response = _upload(staff_client, b"", "empty.csv")
    assert response.status_code == 400 and b"empty.csv: the file is empty" in response.content
    response = _upload(staff_client, create_plans="on", plan_term="")
    assert response.status_code == 400 and b"Give the term of the plans to create" in response.content
    with scope(association=association):
        assert not HistoryBatch.objects.exists()


def test_only_admins_of_the_association_reach_a_history_import(
        association, other_association, gold, staff_client, client):
    with scope(association=other_association):
        plan_save(association=other_association, name="Gold", price="40", term_months=12)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "h.csv"
            path.write_bytes(HISTORY)
            theirs, _ = history_prepare(association=other_association, path=path)
    run_batch.call("memberships", theirs.pk)
    for name in ("import_history_detail", "import_history_progress", "import_history_errors"):
        assert staff_client.get(_url(name, theirs.pk)).status_code == 404
        assert staff_client.get(_url(name, theirs.pk, "other")).status_code == 404
    assert b"h.csv" not in staff_client.get(INDEX).content

    # A token from another association's upload names nothing here.
    token, path = save_upload(SimpleUploadedFile("t.csv", HISTORY), owner=other_association.pk,
                              suffix=".csv")
    response = staff_client.post(MAP, {"upload": token, "file_name": "t.csv"})
    assert response.status_code == 302 and response["Location"].endswith("/import/#history-h")
    assert path.exists()

    # Staff who are not administrators do not see the pages at all.
    editor = staff_add(association=association, email="pubs@acme.example.org",
                       role_key="publications").user
    client.force_login(editor)
    assert client.get(INDEX).status_code == 404
    assert client.post(UPLOAD, {"file": SimpleUploadedFile("h.csv", HISTORY)}).status_code == 404
    with scope(association=association):
        assert not HistoryBatch.objects.exists()
