"""One person search: the staff list, the API, the list's export and the export command
find the same people for the same words; erased people only when asked for."""

from __future__ import annotations

import csv
import io
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scope

from _api_support import ApiClient, make_token
from commonground.people import selectors
from commonground.people.filters.fields import MAX_SEARCH_WORDS, search_terms
from commonground.people.models import Person
from commonground.people.services import person_create, person_erase

# Five words that find Ada, then four that match nobody (ignored: past MAX_SEARCH_WORDS).
NINE_WORDS = "ada lovelace ada@ example.org love analytical engine notes menabrea"


@pytest.fixture(autouse=True)
def _fresh_count_cache():
    cache.clear()  # the list's counts are cached per tenant id, which test databases reuse


@pytest.fixture
def people(association):
    with scope(association=association):
        ada = person_create(association=association, first_name="Ada", last_name="Lovelace",
                            email="ada@example.org")
        ann = person_create(association=association, first_name="Ann", last_name="Lovelace",
                            email="ann@example.org")
        person_create(association=association, first_name="Grace", last_name="Hopper",
                      email="grace@example.org")
        gone = person_create(association=association, first_name="Adam", last_name="Lovelace",
                             email="adam@example.org")
        person_erase(association=association, person=gone)
    return {"ada": ada, "ann": ann, "gone": gone}


@pytest.fixture
def api(association):
    return ApiClient(make_token(association))


def _list(association, q: str) -> set[int]:
    with scope(association=association):
        return {p.pk for p in selectors.person_list(search=q, limit=200).rows}


def _staff_page(client, q: str) -> set[int]:
    response = client.get(reverse("person_list", kwargs={"association": "acme"}), {"q": q})
    assert response.status_code == 200
    return {p.pk for p in response.context["page"].rows}


def _api(api, q: str, **params) -> set[int]:
    response = api.get("/people", {"q": q, "limit": 200, **params})
    assert response.status_code == 200, response.content
    return {p["id"] for p in response.json()["items"]}


def _emails_to_ids(association, emails: list[str]) -> set[int]:
    with scope(association=association):
        return set(Person.objects.filter(email__in=emails).values_list("pk", flat=True))


def _export(client, association, q: str) -> set[int]:
    url = reverse("person_list_export", kwargs={"association": "acme", "fmt": "csv"})
    response = client.get(url, {"q": q})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return _emails_to_ids(association, [row["Email"] for row in csv.DictReader(io.StringIO(text))])


def _export_command(association, q: str, tmp_path) -> set[int]:
    path = tmp_path / "people.csv"
    call_command("export", "people", "--association", "acme", "--search", q, "--output",
                 str(path), stderr=StringIO())
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return _emails_to_ids(association, [row["Email"] for row in csv.DictReader(fh)])


@pytest.mark.parametrize("q", ["lovelace", "LOVELACE ada", "ada@example", "ann lovelace",
                               "nobody", "", NINE_WORDS])
def test_the_same_words_find_the_same_people_everywhere(association, people, staff_client, api, q,
                                                         tmp_path):
    found = _list(association, q)
    assert _staff_page(staff_client, q) == found
    assert _api(api, q) == found
    assert _export(staff_client, association, q) == found
    assert _export_command(association, q, tmp_path) == found
    assert people["gone"].pk not in found


def test_erased_people_are_left_out_unless_the_api_asks(association, people, staff_client, api):
    gone = people["gone"].pk
    assert gone not in _list(association, "")
    assert gone not in _staff_page(staff_client, "")
    assert gone not in _api(api, "")
    assert gone not in _export(staff_client, association, "")
    assert gone in _api(api, "", include_erased="true")
    # Asking does not make their blanked identity match words.
    assert gone not in _api(api, "lovelace", include_erased="true")
    assert api.get("/people", {"include_erased": "maybe"}).status_code == 422


def test_a_nine_word_query_uses_the_same_first_words_everywhere(association, people, api):
    words = NINE_WORDS.split()
    assert len(words) == 9 and len(search_terms(NINE_WORDS)) == MAX_SEARCH_WORDS
    # The words past MAX_SEARCH_WORDS match nobody; everywhere they are ignored alike.
    assert _list(association, NINE_WORDS) == {people["ada"].pk} == _api(api, NINE_WORDS)


def test_the_api_documents_the_rule(api):
    schema = ApiClient(None).client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/people"]["get"]["parameters"]}
    assert "include_erased" in params and "erased" in params["include_erased"]["description"]
    assert f"first {MAX_SEARCH_WORDS} words" in params["q"]["description"]


def test_pickers_search_the_same_way(association, people, staff_client):
    ada = people["ada"]
    merge = staff_client.get(reverse("person_merge", kwargs={"association": "acme",
                                                             "person_id": ada.pk}),
                             {"q": "lovelace"})
    assert merge.status_code == 200
    found = {p.pk for p in merge.context["found"]}
    assert found == _list(association, "lovelace") - {ada.pk}
