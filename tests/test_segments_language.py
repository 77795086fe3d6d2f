"""The person-filter language (people.filters): what each field selects, AND/OR groups,
the field messages for mistakes, and property tests of the parser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _segments_data import build_town
from commonground.core.errors import ValidationFailed
from commonground.people.filters import MAX_RULES, normalise, parse, person_queryset


@pytest.fixture
def town(scoped):
    return build_town(scoped)


def names(definition, **kw) -> list[str]:
    return sorted(p.first_name for p in person_queryset(definition, **kw))


def rule(field, op, value=None):
    return {"field": field, "op": op, "value": value}


def every(*rules):
    return {"op": "and", "rules": list(rules)}


def any_of(*rules):
    return {"op": "or", "rules": list(rules)}


def test_people_fields(town):
    assert names({}) == sorted(town.people)
    assert names(every(rule("chapter", "is", str(town.north.pk)))) == ["Ann", "Bob", "Eve", "Hal"]
    # "is not North" includes Fay, who has no chapter; a slug is the chapter too
    assert names(every(rule("chapter", "is_not", "north"))) == ["Cat", "Dan", "Fay", "Gus"]
    assert names(every(rule("city", "is", "leeds"))) == ["Ann", "Cat", "Hal"]
    assert names(every(rule("city", "is_empty"))) == ["Dan"]
    assert names(every(rule("search", "contains", "townsend ann"))) == ["Ann"]
    assert names(every(rule("created", "in_last_days", 1))) == []
    assert len(names(every(rule("created", "after", str(town.today - timedelta(days=1)))))) == 8


def test_custom_fields_by_their_types(town):
    assert names(every(rule("custom.age", "gt", 30))) == ["Ann", "Bob"]
    assert names(every(rule("custom.age", "between", [29, 34]))) == ["Ann", "Dan"]
    assert names(every(rule("custom.sector", "is", "Health"))) == ["Ann", "Gus"]
    # "is not Health" includes the people who never had a sector
    assert "Eve" in names(every(rule("custom.sector", "is_not", "Health")))
    assert names(every(rule("custom.licensed_on", "in_last_days", 30))) == ["Bob"]
    assert names(every(rule("custom.licensed_on", "before", "2010-01-01"))) == ["Fay"]
    assert names(every(rule("custom.mentor", "is", "yes"))) == ["Ann"]


def test_membership_fields(town):
    gold = every(rule("membership.plan", "in", [str(town.gold.pk), "silver"]))
    assert names(gold) == ["Ann", "Bob", "Cat", "Dan", "Fay", "Hal"]
    assert names(every(rule("membership.current", "is", False))) == ["Dan", "Eve", "Gus", "Hal"]
    assert names(every(rule("membership.ends", "in_next_days", 60))) == ["Bob"]
    assert names(every(rule("membership.lapsed", "in_last_days", 200))) == ["Dan"]
    assert names(every(rule("membership.joined", "in_last_days", 45))) == ["Ann"]
    assert names(every(rule("membership.status", "is", "lapsed"))) == ["Dan", "Hal"]


def test_activity_windows_and_offerings(town):
    community = {"category": "community", "last_days": 30}
    assert names(every(rule("activity", "matches", community))) == ["Ann", "Dan"]
    assert names(every(rule("activity", "matches", {**community, "min_count": 2}))) == ["Ann"]
    assert names(every(rule("activity", "matches", {"kind": "event_checkin"}))) == \
        ["Ann", "Bob", "Dan", "Hal"]
    window = {"from": str(town.today - timedelta(days=120)),
              "to": str(town.today - timedelta(days=90))}
    assert names(every(rule("activity", "matches", window))) == ["Bob"]
    took = {"offering": str(town.course.pk)}
    assert names(every(rule("offering", "matches", took))) == ["Ann", "Eve"]
    assert "Ann" not in names(every(rule("offering", "not_matches", took)))


def test_scores_count_the_unscored_as_zero(town):
    assert names(every(rule("score.total", "gte", 20))) == ["Ann", "Bob"]
    low = names(every(rule("score.total", "lt", 10)))
    assert low == ["Cat", "Dan", "Eve", "Fay", "Gus", "Hal"]
    assert names(every(rule("score.level", "is", "3"))) == ["Ann"]


def test_and_or_groups_nest(town):
    # Lapsed in the last year who still attend events, or North members with a course
    definition = any_of(
        every(rule("membership.lapsed", "in_last_days", 365),
              rule("activity", "matches", {"category": "community", "last_days": 90})),
        every(rule("chapter", "is", str(town.north.pk)),
              rule("offering", "matches", {"offering": str(town.course.pk)})))
    assert names(definition) == ["Ann", "Dan", "Eve"]


def fields_of(definition) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        parse(definition)
    return caught.value.fields


def test_mistakes_are_field_messages(town):
    assert "Unknown field “plan”" in fields_of(every(rule("plan", "is", "1")))["rules.0.field"][0]
    assert "takes" in fields_of(every(rule("chapter", "gt", 3)))["rules.0.op"][0]
    bad_date = fields_of(every(rule("membership.ends", "before", "31/12/2026")))
    assert "not a date" in bad_date["rules.0.value"][0]
    reversed_dates = fields_of(every(rule("created", "between", ["2026-05-01", "2026-01-01"])))
    assert "Impossible window" in reversed_dates["rules.0.value"][0]
    window = fields_of(every(rule("chapter", "is", "north"), rule(
        "activity", "matches", {"from": "2026-03-01", "to": "2026-02-01"})))
    assert "Impossible window" in window["rules.1.value"][0]
    assert "at least 1 day" in fields_of(every(rule("membership.ends", "in_next_days", 0))
                                         )["rules.0.value"][0]
    nested = every(every(every(every(rule("city", "is", "x")))))
    assert "at most 3" in fields_of(nested)["rules.0.rules.0.rules.0"][0]
    assert "No plan" in fields_of(every(rule("membership.plan", "is", "999999")))["rules.0.value"][0]
    assert fields_of(every(*[rule("city", "is", "x")] * (MAX_RULES + 1)))
    assert "op" in fields_of({"op": "xor", "rules": []})
    assert "definition" in fields_of(["not", "a", "group"])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=True)
    | st.text(max_size=12) | st.sampled_from(["2026-01-01", "city", "chapter", "activity",
                                              "in", "between", "and", "or", "matches"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["op", "rules", "field", "value", "last_days", "from", "to",
                         "category", "min_count"]), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definition=json_values)
def test_any_json_is_a_tree_or_field_messages(scoped, definition):
    try:
        tree = parse(definition)
    except ValidationFailed as exc:
        assert exc.fields and all(isinstance(m, list) and m for m in exc.fields.values())
    else:
        assert normalise(parse(normalise(tree))) == normalise(tree)


SIMPLE = {
    "city": st.tuples(st.just("is"), st.sampled_from(["Leeds", "York", "Hull"])),
    "membership.status": st.tuples(st.sampled_from(["is", "is_not"]),
                                   st.sampled_from(["active", "lapsed", "renewal_due"])),
    "score.total": st.tuples(st.sampled_from(["gte", "lt"]), st.sampled_from([0, 10, 50])),
}


def _rules():
    return st.sampled_from(sorted(SIMPLE)).flatmap(
        lambda f: SIMPLE[f].map(lambda ov: rule(f, ov[0], ov[1])))


trees = st.recursive(_rules(), lambda inner: st.builds(
    lambda op, rules: {"op": op, "rules": rules}, st.sampled_from(["and", "or"]),
    st.lists(inner, min_size=1, max_size=3)), max_leaves=5).map(
    lambda t: t if "rules" in t else every(t))


def _holds(node, person, score) -> bool:
    if "rules" in node:
        results = [_holds(r, person, score) for r in node["rules"]]
        return all(results) if node["op"] == "and" else any(results)
    op, value = node["op"], node["value"]
    if node["field"] == "city":
        return person.city.lower() == value.lower()
    if node["field"] == "membership.status":
        return (person.member_status == value) == (op == "is")
    total = score.get(person.pk, 0.0)
    return total >= value if op == "gte" else total < value


def _depth(node) -> int:
    return 1 + max((_depth(r) for r in node.get("rules", [])), default=0) if "rules" in node \
        else 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(definition=trees)
def test_random_trees_select_what_they_say(town, definition):
    from commonground.scoring.models import Score

    if _depth(definition) > 3:
        return
    score = dict(Score.objects.values_list("person_id", "total"))
    expected = sorted(p.first_name for p in town.people.values() if _holds(definition, p, score))
    assert names(definition) == expected
