"""Finding people who are probably the same person, set-based, and dismissing false ones.

Candidate pairs come only from *blocks* — people sharing a key — so the work grows with
the pairs inside blocks, never with n² over the membership:

* the same email once the provider's own rules are applied (Gmail ignores dots and
  "+tags"; several providers ignore "+tags"): addresses differ, mailbox is the same;
* the same phone number;
* the same normalised full name (case, accents, punctuation) and postal code, or
  organisation;
* similar names (rapidfuzz ``token_sort_ratio``) within a postal code or an
  organisation, among people who share their first or their last name exactly (a typo
  rarely hits both, and comparing a whole postal code would be quadratic in its size).

Blocks bigger than a cap (a switchboard number shared by a whole firm, a postal code of
a city block) are skipped for that rule: they say little, and would cost quadratic work.
Evidence combines as independent signals (1 − Π(1 − w)) into a 0–100 score. Dismissed
pairs ("not a duplicate") never come back. Reads only: dismissing and restoring a pair are
writes (``people.services.duplicates``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import polars as pl
from django.core.cache import cache
from rapidfuzz import fuzz, process

from commonground.core.memory import without_cyclic_gc
from commonground.tenancy.models import Association

from . import sql
from .models import DuplicateDismissal, Person

DOT_BLIND = {"gmail.com", "googlemail.com"}
PLUS_TAGS = DOT_BLIND | {"outlook.com", "hotmail.com", "live.com", "icloud.com", "me.com",
                         "fastmail.com", "protonmail.com", "proton.me", "pm.me"}
FUZZY_MIN = 85  # token_sort_ratio; "Jon Smith"/"John Smith" is 95, "Ann Lee"/"Dan Lee" 86
EXACT_CAP = 20   # people per block for the exact-key rules
FUZZY_CAP = 400  # people per block for similar names (≤ 80k comparisons per block)
MIN_SCORE = 50
CACHE_SECONDS = 600

WEIGHTS = {"email": 0.9, "name_postal": 0.8, "name_org": 0.7, "phone": 0.6,
           "similar_postal": 0.5, "similar_org": 0.4, "same_name": 0.5, "similar_name": 0.3}
REASONS = {
    "email": "Same mailbox: the emails differ only by dots or a +tag the provider ignores",
    "phone": "Same phone number",
    "name_postal": "Same name and postal code",
    "name_org": "Same name at the same organisation",
    "similar_postal": "Similar names ({sim}%) and the same postal code",
    "similar_org": "Similar names ({sim}%) at the same organisation",
    "same_name": "Same name",
    "similar_name": "Similar names ({sim}%)",
}


@dataclass
class Candidate:
    a: int
    b: int
    score: int
    codes: list[str]
    similarity: int
    reasons: list[str] = field(default_factory=list)
    people: tuple[Person, Person] | None = None

    @property
    def key(self) -> str:
        return f"{self.a}-{self.b}"


def canonical_email(col: str = "email_key") -> pl.Expr:
    """The mailbox an address reaches: provider rules applied to the lower-cased key."""
    local = pl.col(col).str.extract(r"^(.*)@", 1)
    domain = pl.col(col).str.extract(r"@([^@]*)$", 1).replace("googlemail.com", "gmail.com")
    local = pl.when(domain.is_in(list(PLUS_TAGS))).then(local.str.replace(r"\+.*$", "")) \
        .otherwise(local)
    local = pl.when(domain.is_in(list(DOT_BLIND))).then(local.str.replace_all(".", "", literal=True)) \
        .otherwise(local)
    return pl.when(pl.col(col) != "").then(local + "@" + domain).otherwise(pl.lit(""))


def _plain(expr: pl.Expr) -> pl.Expr:
    """Lower case, no accents, punctuation as single spaces."""
    expr = expr.str.to_lowercase().str.normalize("NFKD").str.replace_all(r"\p{M}", "")
    return expr.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()


def name_key(first: str = "first_name", last: str = "last_name") -> pl.Expr:
    """The full name's words in order: "Lovelace, Ada" and "Ada Lovelace" are one key."""
    full = _plain(pl.concat_str([pl.col(first), pl.col(last)], separator=" "))
    return full.str.split(" ").list.sort().list.join(" ").str.strip_chars()


def _people(association: Association) -> tuple[pl.DataFrame, pl.DataFrame]:
    people = pl.DataFrame(sql.duplicate_people(association_id=association.pk), orient="row",
                          schema={"id": pl.Int64, "first_name": pl.Utf8, "last_name": pl.Utf8,
                                  "email_key": pl.Utf8, "phone": pl.Utf8, "postal_code": pl.Utf8})
    orgs = pl.DataFrame(sql.duplicate_organisation_ties(association_id=association.pk),
                        orient="row", schema={"id": pl.Int64, "org": pl.Int64})
    people = people.with_columns(
        name=name_key(), mailbox=canonical_email(), first=_plain(pl.col("first_name")),
        last=_plain(pl.col("last_name")),
        postal=pl.col("postal_code").str.replace_all(r"\s+", "").str.to_uppercase())
    return people, orgs


def _pairs(df: pl.DataFrame, keys: list[str], cap: int) -> pl.DataFrame:
    """(a, b) for every two people sharing all ``keys`` (none blank), in blocks ≤ cap."""
    block = df.select("id", *keys).filter(
        pl.all_horizontal([pl.col(k).cast(pl.Utf8) != "" for k in keys])
        & pl.all_horizontal([pl.col(k).is_not_null() for k in keys]))
    block = block.filter(pl.len().over(keys) <= cap)
    joined = block.join(block, on=keys, suffix="_b").filter(pl.col("id") < pl.col("id_b"))
    return joined.select(a=pl.col("id"), b=pl.col("id_b"))


def _dismissed() -> pl.DataFrame:
    rows = list(DuplicateDismissal.objects.values_list("person_a_id", "person_b_id"))
    return pl.DataFrame(rows, orient="row", schema={"a": pl.Int64, "b": pl.Int64})


def find_candidates(association: Association) -> list[Candidate]:
    """Every candidate pair of the association scoring at least MIN_SCORE, best first."""
    with without_cyclic_gc():
        return _find_candidates(association)


def _find_candidates(association: Association) -> list[Candidate]:
    people, orgs = _people(association)
    with_orgs = people.select("id", "name", "first", "last").join(orgs, on="id")
    found = [
        _pairs(people, ["mailbox"], EXACT_CAP).with_columns(code=pl.lit("email")),
        _pairs(people, ["phone"], EXACT_CAP).with_columns(code=pl.lit("phone")),
        _pairs(people, ["name", "postal"], EXACT_CAP).with_columns(code=pl.lit("name_postal")),
        _pairs(with_orgs, ["name", "org"], EXACT_CAP).with_columns(code=pl.lit("name_org")),
    ]
    # Similar names: a typo rarely hits both names, so the other one (equal) narrows the
    # block; comparing everyone in a postal code would be quadratic in its size.
    for same in ("first", "last"):
        found += [
            _pairs(people, ["postal", same], FUZZY_CAP).with_columns(code=pl.lit("similar_postal")),
            _pairs(with_orgs, ["org", same], FUZZY_CAP).with_columns(code=pl.lit("similar_org")),
        ]
    pairs = pl.concat(found).unique(["a", "b", "code"])
    pairs = pairs.join(_dismissed(), on=["a", "b"], how="anti")
    if pairs.height == 0:
        return []
    names = people.select("id", "name")
    unique = pairs.select("a", "b").unique().join(
        names.rename({"id": "a", "name": "name_a"}), on="a").join(
        names.rename({"id": "b", "name": "name_b"}), on="b")
    sim = process.cpdist(unique.get_column("name_a").to_list(), unique.get_column("name_b").to_list(),
                         scorer=fuzz.token_sort_ratio, workers=1)
    unique = unique.with_columns(sim=pl.Series(sim, dtype=pl.Float64).round(0).cast(pl.Int64))
    blank = (pl.col("name_a") == "") | (pl.col("name_b") == "")
    unique = unique.with_columns(sim=pl.when(blank).then(0).otherwise(pl.col("sim")))
    pairs = pairs.join(unique.select("a", "b", "sim"), on=["a", "b"])
    # Similar-name rules only hold where the names are similar but not equal (equal names
    # are the exact rules' business).
    fuzzy = pl.col("code").str.starts_with("similar_")
    pairs = pairs.filter(~fuzzy | ((pl.col("sim") >= FUZZY_MIN) & (pl.col("sim") < 100)))
    # The names themselves, as evidence for pairs found by something else.
    by_name = pairs.filter(~pl.col("code").str.contains("name|similar")).group_by("a", "b").agg(
        pl.col("sim").first()).filter(pl.col("sim") >= FUZZY_MIN).with_columns(
        code=pl.when(pl.col("sim") == 100).then(pl.lit("same_name")).otherwise(pl.lit("similar_name")))
    pairs = pl.concat([pairs, by_name.select("a", "b", "code", "sim")]).unique(["a", "b", "code"])
    # Exact name rules make the generic name evidence redundant.
    has_name_rule = pl.col("code").is_in(["name_postal", "name_org", "similar_postal",
                                          "similar_org"]).any().over("a", "b")
    pairs = pairs.filter(~(has_name_rule & pl.col("code").is_in(["same_name", "similar_name"])))
    weights = pl.col("code").replace_strict(WEIGHTS, return_dtype=pl.Float64)
    scored = pairs.with_columns(w=weights).group_by("a", "b").agg(
        score=((1 - (1 - pl.col("w")).product()) * 100).round(0).cast(pl.Int64),
        codes=pl.col("code").sort_by("w", descending=True), sim=pl.col("sim").first())
    scored = scored.filter(pl.col("score") >= MIN_SCORE).sort(["score", "a", "b"],
                                                              descending=[True, False, False])
    return [Candidate(a=a, b=b, score=s, codes=c, similarity=sim,
                      reasons=[REASONS[code].format(sim=sim) for code in c])
            for a, b, s, c, sim in scored.select("a", "b", "score", "codes", "sim").iter_rows()]


def _version(association: Association) -> str:
    """Changes whenever people, their ties or dismissals change (cheap aggregate reads)."""
    version = sql.duplicates_version(association_id=association.pk)
    return hashlib.sha256(repr(version).encode()).hexdigest()[:24]


def duplicate_candidates(*, association: Association) -> list[Candidate]:
    """``find_candidates``, cached until people, ties or dismissals change."""
    key = f"cg:duplicates:{association.pk}:{_version(association)}"
    found = cache.get(key)
    if found is None:
        found = find_candidates(association)
        cache.set(key, found, CACHE_SECONDS)
    return found


def with_people(candidates: list[Candidate]) -> list[Candidate]:
    """Attach both Person rows (one query for the page)."""
    ids = {i for c in candidates for i in (c.a, c.b)}
    people = Person.objects.select_related("chapter").in_bulk(ids)
    out = []
    for c in candidates:
        if c.a in people and c.b in people:  # merged or erased meanwhile: skip
            out.append(Candidate(**{**c.__dict__, "people": (people[c.a], people[c.b])}))
    return out


def duplicates_for(*, association: Association, person: Person) -> list[Candidate]:
    return [c for c in duplicate_candidates(association=association) if person.pk in (c.a, c.b)]
