"""One cursor codec (core.pagination): round trips, and garbage is only ever its own error —
a 422 with a field message on the API, the first page on a page, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse
from django_scopes import scope
from hypothesis import given, settings
from hypothesis import strategies as st

from _api_support import ApiClient, make_token
from commonground.core.ids import MAX_ID
from commonground.core.pagination import (
    Cursor,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
    read_cursor,
)
from commonground.people.services import person_create

sort_values = st.one_of(st.none(), st.booleans(), st.integers(-MAX_ID, MAX_ID),
                        st.text(max_size=30), st.dates().map(str),
                        st.floats(allow_nan=False, allow_infinity=False))
ids = st.integers(-MAX_ID, MAX_ID)


@given(values=st.lists(sort_values, max_size=3), pk=ids, backwards=st.booleans())
def test_round_trip(values, pk, backwards):
    cursor = encode_cursor([*values, pk], backwards=backwards)
    assert decode_cursor(cursor) == Cursor(key=[*values, pk], backwards=backwards)
    assert decode_cursor(cursor, size=len(values) + 1).key[-1] == pk
    assert read_cursor(cursor) == decode_cursor(cursor)
    assert cursor.isascii() and "=" not in cursor  # safe in a URL as it is


def _json_cursor(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                           lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                           max_leaves=10)


@settings(max_examples=300)
@given(garbage=st.one_of(st.text(max_size=80), st.binary(max_size=60).map(lambda b: b.hex()),
                         st.binary(max_size=60).map(lambda b: base64.urlsafe_b64encode(b).decode()),
                         json_values.map(_json_cursor)),
       size=st.one_of(st.none(), st.integers(1, 3)))
def test_garbage_raises_only_invalid_cursor(garbage, size):
    try:
        cursor = decode_cursor(garbage, size=size)
    except InvalidCursor as exc:
        assert exc.status == 422 and exc.fields["cursor"]
        assert read_cursor(garbage, size=size) is None
    else:  # by chance a well-formed cursor: then it is one
        assert isinstance(cursor.key, list) and type(cursor.key[-1]) is int
        assert abs(cursor.key[-1]) <= MAX_ID
        assert size is None or len(cursor.key) == size


@pytest.mark.parametrize("data", [[1, 2], {"k": []}, {"k": [1, "2"]}, {"k": [1, True]},
                                  {"k": [1, 2], "b": 2}, {"k": [1, 2], "x": 1},
                                  {"k": [1, MAX_ID + 1]}, {"k": "12"}])
def test_shapes_this_codec_never_writes_are_refused(data):
    with pytest.raises(InvalidCursor):
        decode_cursor(_json_cursor(data))
    assert read_cursor(_json_cursor(data)) is None


def test_a_key_of_another_length_is_refused():
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(["Lovelace", "Ada", 3]), size=2)


GARBAGE = ["garbage", "%%%", _json_cursor({"k": [[1], 5]}), _json_cursor({"k": [{"a": 1}, 5]}),
           _json_cursor({"k": ["x", MAX_ID + 1]}), encode_cursor([1, 2], backwards=True)[:-3]]


@pytest.fixture
def api(association):
    with scope(association=association):
        for i in range(3):
            person_create(association=association, last_name=f"L{i}")
    return ApiClient(make_token(association))


@pytest.mark.parametrize("cursor", [*GARBAGE, encode_cursor(["Lovelace", "Ada", 3])])
@pytest.mark.parametrize("path,params", [("/people", {}), ("/people", {"sort": "updated_at"}),
                                         ("/chapters", {}), ("/plans", {}),
                                         ("/people/duplicates", {}),
                                         ("/activities/unmatched", {})])
def test_the_api_answers_garbage_with_422(api, path, params, cursor):
    response = api.get(path, {**params, "cursor": cursor})
    assert response.status_code == 422, (path, cursor, response.content)
    assert response.json()["fields"]["cursor"]


@pytest.mark.parametrize("cursor", GARBAGE)
@pytest.mark.parametrize("sort", ["name", "-expires", "joined"])
def test_the_staff_list_shows_the_first_page_for_garbage(staff_client, association, sort, cursor):
    with scope(association=association):
        person_create(association=association, first_name="Ada", last_name="Lovelace")
    url = reverse("person_list", kwargs={"association": "acme"})
    response = staff_client.get(url, {"cursor": cursor, "sort": sort})
    assert response.status_code == 200
    assert [p.last_name for p in response.context["page"].rows] == ["Lovelace"]
