"""Activity ingestion end to end: files through the CLI, idempotency, identities, rejects."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django_scopes import scope

from commonground.activity.identity.services import email_hash
from commonground.activity.mapping import profile_mapping
from commonground.activity.models import Activity, ActivityReject, Identity, RejectStatus, Source
from commonground.activity.services import (
    activities_ingest_rows,
    rejects_dismiss,
    rejects_reprocess,
    source_create,
    source_update,
)

EMAIL_CSV = '''Email Address,Action,Timestamp,Campaign,Visitor ID
Jane@Example.org,open,2024-05-01 10:00:00,"May ""news""",
jane@example.org,click,2024-05-01 10:05:00,May,v-1
stranger@example.org,open,2024-05-01 11:00:00,May,
not-an-email,open,2024-05-01 11:00:00,May,
jane@example.org,explode,2024-05-01 11:00:00,May,
jane@example.org,open,yesterday,May,
'''


def _ingest(tmp_path: Path, text: str, source: str = "newsletter", name: str = "feed.csv") -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import", "activities", str(path), "--association", "acme", "--source", source,
                 "--json", "--no-progress", stdout=out)
    return json.loads(out.getvalue())


def test_cli_json_counts_and_idempotent_reingest(tmp_path, jane, newsletter):
    result = _ingest(tmp_path, EMAIL_CSV)
    assert {"created", "updated", "unchanged", "rejected", "memberships_created",
            "memberships_renewed", "memberships_lapsed", "duplicates", "unmatched",
            "errors_file", "this_run"} <= set(result)
    assert result["created"] == 3 and result["unmatched"] == 1 and result["rejected"] == 3
    errors = Path(result["errors_file"]).read_text()
    assert "not-an-email" in errors and "is not a kind" in errors and "yesterday" in errors
    with scope(association=jane.association):
        timeline = Activity.objects.filter(person=jane).order_by("occurred_at")
        assert [a.kind for a in timeline] == ["email_open", "email_click"]
        assert timeline[0].metadata == {"campaign": 'May "news"'}
        assert Activity.objects.get(person=None).anonymous_key == "email:stranger@example.org"
        # The click carried a visitor id: it is now Jane's.
        assert Identity.objects.get(kind="anon").person == jane
    again = _ingest(tmp_path, EMAIL_CSV)
    assert again["created"] == 0 and again["duplicates"] == 3 and again["unchanged"] == 3
    with scope(association=jane.association):
        assert Activity.objects.count() == 3
        assert ActivityReject.objects.count() == 3  # the same bad rows are not stored twice
        source = Source.objects.get(pk=newsletter.pk)
        assert source.rows_landed == 3 and source.last_fed_at is not None


def test_anonymous_visits_backfilled_when_the_visitor_identifies(tmp_path, jane, scoped):
    web = source_create(association=scoped, name="Web", profile="web_analytics")
    source_create(association=scoped, name="Newsletter", profile="email")
    visits = ("event_date,event_timestamp,event_name,user_pseudo_id,user_id,page_location\n"
              "20240501,1714550400000000,page_view,v-1,,https://acme.example.org/\n"
              "20240501,1714550460000000,page_view,v-1,,https://acme.example.org/join\n")
    result = _ingest(tmp_path, visits, source="web", name="ga4.csv")
    assert result["created"] == 2 and result["unmatched"] == 2
    with scope(association=scoped):
        assert set(Activity.objects.values_list("anonymous_key", flat=True)) == {"anon:v-1"}
    # Later the email platform reports a click with the same visitor id.
    _ingest(tmp_path, EMAIL_CSV)
    with scope(association=scoped):
        views = Activity.objects.filter(source=web)
        assert all(a.person_id == jane.pk and a.anonymous_key == "" for a in views)


def test_hashed_emails_and_ext_ids_resolve(scoped, jane):
    mapping = {"category": "web", "fields": {"occurred_at": "when", "kind": "what"},
               "identity": {"hash": "h", "ext": "uid"}}
    src = source_create(association=scoped, name="Ads", mapping=mapping)
    batch = activities_ingest_rows(association=scoped, source=src, rows=[
        {"when": "2024-05-01T10:00:00Z", "what": "ad_click", "h": email_hash("jane@example.org"),
         "uid": "u9"},
        {"when": "2024-05-02T10:00:00Z", "what": "ad_click", "uid": "u9"},
    ])
    assert (batch.created, batch.unmatched) == (2, 0)
    assert Activity.objects.filter(person=jane).count() == 2
    assert Identity.objects.get(kind="ext").source == src


def test_rejects_reprocess_after_the_mapping_is_fixed_and_dismiss(tmp_path, jane, newsletter, scoped):
    _ingest(tmp_path, EMAIL_CSV)
    explode = ActivityReject.objects.get(line=6)
    mapping = profile_mapping("email")
    mapping["kinds"]["explode"] = "email_explode"
    source_update(association=scoped, source=newsletter, mapping=mapping)
    out = rejects_reprocess(association=scoped, source=newsletter)
    assert out["reprocessed"] == 1 and out["created"] == 1 and out["still_rejected"] == 2
    explode.refresh_from_db()
    assert explode.status == RejectStatus.REPROCESSED
    assert Activity.objects.filter(kind="email_explode", person=jane).exists()
    assert rejects_dismiss(association=scoped, source=newsletter) == 2
    assert not ActivityReject.objects.filter(status=RejectStatus.OPEN).exists()


def test_jsonl_and_semicolon_latin1_csv(tmp_path, jane, newsletter):
    lines = [json.dumps({"Email Address": "jane@example.org", "Action": "sent",
                         "Timestamp": "2024-05-03 09:00:00", "Campaign": "Juni"}), "{bad json"]
    result = _ingest(tmp_path, "\n".join(lines) + "\n", name="feed.jsonl")
    assert result["created"] == 1 and result["rejected"] == 1
    path = tmp_path / "latin.csv"
    path.write_bytes("Email Address;Action;Timestamp;Campaign\n"
                     "jane@example.org;open;2024-05-04 09:00:00;Café\n".encode("cp1252"))
    out = StringIO()
    call_command("import", "activities", str(path), "--association", "acme", "--source",
                 "Newsletter", "--json", "--no-progress", stdout=out)
    assert json.loads(out.getvalue())["created"] == 1
    with scope(association=jane.association):
        assert Activity.objects.get(occurred_at__day=4).metadata == {"campaign": "Café"}
