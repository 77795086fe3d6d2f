"""The segment pages as staff use them: the builder without JavaScript (each button posts
the form) and with HTMX, saving, the segment's page and its actions, static lists from a
selection, the list's query count."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from _segments_data import build_town
from commonground.segments import services
from commonground.segments.models import Segment, SegmentMember


@pytest.fixture
def town(association):
    with scope(association=association):
        return build_town(association)


def url(name, **kw):
    return reverse(name, kwargs={"association": "acme", **kw})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_build_count_and_save_without_javascript(staff_client, town, no_scope):
    page = staff_client.get(url("segment_new"))
    assert page.status_code == 200
    body = text(page)
    assert 'name="field@0"' in body and "Choose a field…" in body and "8</strong> people" in body

    # Pick a field and press Count: the row now offers the field's operators and values.
    picked = text(staff_client.post(url("segment_new"), {
        "node@0": "rule", "field@0": "membership.status", "was@0": "", "action": "count"}))
    assert 'name="op@0"' in picked and ">Lapsed</option>" in picked
    assert "Choose one of the values offered" in picked  # no value yet: said next to it

    form = {"gop@": "and", "node@0": "rule", "field@0": "membership.status",
            "was@0": "membership.status", "op@0": "is", "value@0": "lapsed"}
    counted = text(staff_client.post(url("segment_new"), {**form, "action": "count"}))
    assert "<strong>2</strong> people match" in counted and "Dan Townsend" in counted

    # Add a group of "any of" and fill it in: lapsed AND (attended lately OR took the course)
    grown = text(staff_client.post(url("segment_new"), {**form, "action": "add_group@"}))
    assert 'name="node@1" value="group"' in grown and 'name="field@1.0"' in grown
    form.update({"node@1": "group", "gop@1": "or", "node@1.0": "rule", "field@1.0": "activity",
                 "was@1.0": "activity", "op@1.0": "matches", "w.category@1.0": "community",
                 "w.last_days@1.0": "90", "node@1.1": "rule", "field@1.1": "offering",
                 "was@1.1": "offering", "op@1.1": "matches",
                 "w.offering@1.1": str(town.course.pk)})
    counted = text(staff_client.post(url("segment_new"), {**form, "action": "count"}))
    assert "<strong>1</strong> person matches" in counted

    removed = text(staff_client.post(url("segment_new"), {**form, "action": "remove@1"}))
    assert 'name="node@1"' not in removed and "<strong>2</strong>" in removed

    unnamed = text(staff_client.post(url("segment_new"), {**form, "action": "save"}))
    assert "Give the segment a name." in unnamed
    saved = staff_client.post(url("segment_new"), {**form, "action": "save",
                                                    "name": "Lapsed but engaged"})
    segment = Segment.objects.get(name="Lapsed but engaged")
    assert saved.status_code == 302 and saved["Location"] == url("segment_detail",
                                                                   segment_id=segment.pk)
    assert segment.definition["rules"][1]["op"] == "or"
    detail = text(staff_client.get(saved["Location"]))
    assert "<strong>1</strong> person match now" in detail and "Dan Townsend" in detail
    assert "Membership status is Lapsed and (has community activity in the last 90 days or took" \
        " “Budgeting course” ever)" in detail and "export.csv" in detail
    assert "No consent preferences are recorded yet" in detail


def test_mistakes_are_shown_next_to_the_rule(staff_client, town):
    body = text(staff_client.post(url("segment_new"), {
        "node@0": "rule", "field@0": "membership.ends", "was@0": "membership.ends",
        "op@0": "between", "value@0": "2026-06-01", "value2@0": "2026-01-01",
        "action": "count"}))
    assert "Impossible window" in body and "has-error" in body
    assert "Fix the marked rules to see the count" in body


def test_htmx_gets_the_builder_only_and_a_redirect_on_save(staff_client, town):
    headers = {"HX-Request": "true"}
    form = {"node@0": "rule", "field@0": "city", "was@0": "city", "op@0": "is",
            "value@0": "Leeds", "name": "Leeds people"}
    partial = staff_client.post(url("segment_new"), {**form, "action": "count"}, headers=headers)
    assert "<html" not in partial.content.decode() and "<strong>3</strong>" in text(partial)
    saved = staff_client.post(url("segment_new"), {**form, "action": "save"}, headers=headers)
    assert saved.status_code == 200 and saved["HX-Redirect"].startswith("/a/acme/segments/")


def test_member_list_filters_become_a_segment(staff_client, town):
    listing = text(staff_client.get(url("person_list"), {"status": "lapsed"}))
    assert "Save these filters as a segment" in listing
    body = text(staff_client.get(url("segment_new"), {"status": "lapsed"}))
    assert 'value="membership.status" selected' in body and "<strong>2</strong>" in body


def test_edit_freeze_duplicate_export_delete(staff_client, town, association, no_scope):
    with scope(association=association):
        live = services.segment_create(association=association, name="North", definition={
            "op": "and", "rules": [{"field": "chapter", "op": "is", "value": str(town.north.pk)}]})
    edit = text(staff_client.get(url("segment_edit", segment_id=live.pk)))
    assert 'value="chapter" selected' in edit and f'value="{town.north.pk}" selected>North' in edit
    assert "<strong>4</strong> people match" in edit
    frozen = staff_client.post(url("segment_freeze", segment_id=live.pk))
    static = Segment.objects.get(is_static=True)
    assert frozen["Location"] == url("segment_detail", segment_id=static.pk)
    assert SegmentMember.objects.filter(segment=static).count() == 4
    copy = staff_client.post(url("segment_duplicate", segment_id=live.pk))
    assert Segment.objects.filter(name="Copy of North", is_static=False).exists()
    assert copy.status_code == 302
    export = staff_client.get(url("segment_export", segment_id=static.pk, fmt="csv"))
    assert b"ann@town.example" in b"".join(export.streaming_content)
    assert staff_client.get(url("segment_export", segment_id=static.pk, fmt="pdf")
                            ).status_code == 404
    staff_client.post(url("segment_delete", segment_id=static.pk))
    assert not Segment.objects.filter(pk=static.pk).exists()


def test_static_list_from_a_selection(staff_client, town, no_scope):
    ann, bob = town.people["Ann"].pk, town.people["Bob"].pk
    made = staff_client.post(url("segment_from_selection"), {"person": [ann, bob],
                                                             "name": "Ring them"})
    segment = Segment.objects.get(name="Ring them")
    assert made["Location"] == url("segment_detail", segment_id=segment.pk)
    assert "<strong>2</strong> people on this static list" in text(staff_client.get(
        made["Location"]))
    onward = staff_client.post(url("segment_from_selection"), {
        "person": [ann], "next": "/a/acme/outreach/new/"})
    assert re.fullmatch(r"/a/acme/outreach/new/\?segment=\d+", onward["Location"])
    nobody = staff_client.post(url("segment_from_selection"), {
        "person": [], "next": "https://evil.example/"}, follow=True)
    assert "Choose at least one person." in text(nobody)
    assert nobody.redirect_chain[-1][0] == url("segment_list")


def test_list_query_count_does_not_grow(staff_client, town, association,
                                        django_assert_max_num_queries):
    staff_client.get(url("segment_list"))
    # session, user, staff lookup, roles, segments with their creators
    with django_assert_max_num_queries(6):
        assert staff_client.get(url("segment_list")).status_code == 200
    with scope(association=association):
        for i in range(12):
            services.segment_create(association=association, name=f"S{i}", definition={})
    with django_assert_max_num_queries(6):
        body = text(staff_client.get(url("segment_list")))
    assert body.count("not counted yet") == 12


def test_other_associations_segment_is_404(staff_client, town, other_association, no_scope):
    from commonground.people.services import person_create

    with scope(association=other_association):
        theirs = Segment.objects.create(association=other_association, name="T", slug="t")
        stranger = person_create(association=other_association, first_name="Zeb")
    taken = staff_client.post(url("segment_from_selection"), {"person": [stranger.pk]},
                              follow=True)
    assert f"No such person: {stranger.pk}." in text(taken)
    assert not SegmentMember.objects.filter(person=stranger).exists()
    for name in ("segment_detail", "segment_edit"):
        assert staff_client.get(url(name, segment_id=theirs.pk)).status_code == 404
    assert staff_client.post(url("segment_freeze", segment_id=theirs.pk)).status_code == 404


def test_detail_query_count_does_not_grow_with_its_people(staff_client, town, association,
                                                          django_assert_max_num_queries):
    with scope(association=association):
        segment = services.segment_create_static(
            association=association, name="Everyone",
            person_ids=[p.pk for p in town.people.values()])
    page = url("segment_detail", segment_id=segment.pk)
    staff_client.get(page)
    # session, user, staff, roles; the segment; its count and the count remembered; the
    # sample with chapters
    with django_assert_max_num_queries(9):
        body = text(staff_client.get(page))
    assert "<strong>8</strong> people on this static list" in body
    assert body.count('<th scope="row">') == 8
