"""Every row that references a person, found generically, and how each one moves.

``person_relations`` walks every installed model (history and many-to-many tables
included) for foreign keys to ``Person``, so a model added tomorrow is moved by a merge
without anyone remembering to list it. A relation under a unique constraint that includes
the person can clash when moved; known ones have an explicit resolver below (duplicate
organisation ties collapse, dismissals re-pair), and an unknown one that would clash
stops the merge with ``MergeConflict`` instead of losing or breaking rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models

from commonground.core.errors import Conflict

from ..models import DuplicateDismissal, Person, Relationship


class MergeConflict(Conflict):
    """A row of the removed person cannot move to the kept one without breaking a rule."""

    code = "merge_conflict"


@dataclass(frozen=True)
class Relation:
    model: type[models.Model]
    field: models.ForeignKey

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def is_history(self) -> bool:
        return self.model.__name__.startswith("Historical") and any(
            f.name == "history_id" for f in self.model._meta.concrete_fields)

    @property
    def title(self) -> str:
        """What staff read in the merge preview: "activities", "memberships (history)"."""
        meta = self.model._meta
        if self.is_history:
            base = meta.label_lower.split(".")[1].removeprefix("historical")
            return f"{base} change history"
        name, one = str(meta.verbose_name_plural), str(meta.verbose_name)
        if name == f"{one}s" and one.endswith("y") and one[-2:-1] not in "aeiou":
            name = f"{one[:-1]}ies"  # Django's default plural of "activity"
        return name

    def rows(self, person_id: int, association_id: int) -> models.QuerySet:
        # The plain manager: history and through tables are not scoped, and the explicit
        # association filter keeps tenant tables on their (association, person…) indexes.
        qs = self.model._base_manager.filter(**{self.field.attname: person_id})
        if any(f.attname == "association_id" for f in self.model._meta.concrete_fields):
            qs = qs.filter(association_id=association_id)
        return qs


@cache
def person_relations() -> tuple[Relation, ...]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and (field.many_to_one or field.one_to_one) \
                    and field.related_model is Person:
                found.append(Relation(model, field))
    return tuple(sorted(found, key=lambda r: r.label))


def _unique_sets(rel: Relation) -> list[list[str]]:
    """The unique rules that include the person column, as attnames."""
    meta = rel.model._meta
    sets: list[tuple[str, ...]] = []
    if rel.field.unique:
        sets.append((rel.field.name,))
    sets += [tuple(u) for u in meta.unique_together]
    # Conditional constraints count too: moving could still clash where they apply.
    sets += [tuple(c.fields) for c in meta.constraints
             if isinstance(c, models.UniqueConstraint) and c.fields]
    names = {rel.field.name, rel.field.attname}
    return [[meta.get_field(n).attname for n in s] for s in sets if names & set(s)]


def _clashes(rel: Relation, keep: Person, remove: Person) -> bool:
    for unique in _unique_sets(rel):
        others = [n for n in unique if n != rel.field.attname]
        theirs = rel.rows(remove.pk, remove.association_id)
        ours = rel.rows(keep.pk, keep.association_id)
        if not others:
            if theirs.exists() and ours.exists():
                return True
            continue
        if set(theirs.values_list(*others)) & set(ours.values_list(*others)):
            return True
    return False


# ---------------------------------------------------------------- explicit resolvers

def _relationships(keep: Person, remove: Person) -> int:
    """Ties to the same organisation in the same role collapse into the kept person's,
    which takes the other's title when it has none and the wider date range."""
    mine = {(r.organisation_id, r.kind): r for r in
            Relationship._base_manager.filter(association_id=keep.association_id, person=keep)}
    moved = 0
    for theirs in Relationship._base_manager.filter(association_id=remove.association_id,
                                                    person=remove):
        same = mine.get((theirs.organisation_id, theirs.kind))
        if same is None:
            theirs.person_id = keep.pk
            theirs.save(update_fields=["person"])
        else:
            same.title = same.title or theirs.title
            starts = [d for d in (same.starts_on, theirs.starts_on) if d]
            same.starts_on = min(starts) if starts else None
            # An open tie (no end) stays open.
            same.ends_on = None if not (same.ends_on and theirs.ends_on) \
                else max(same.ends_on, theirs.ends_on)
            same.save(update_fields=["title", "starts_on", "ends_on"])
            theirs.delete()
        moved += 1
    return moved


def _dismissals(keep: Person, remove: Person) -> int:
    """"Not a duplicate" pairs follow the kept person; a pair of the two merged people, or
    one the kept person already has, goes."""
    moved = 0
    qs = DuplicateDismissal._base_manager.filter(association_id=remove.association_id)
    for row in qs.filter(models.Q(person_a=remove) | models.Q(person_b=remove)):
        other = row.person_b_id if row.person_a_id == remove.pk else row.person_a_id
        a, b = sorted((keep.pk, other))
        if other == keep.pk or qs.filter(person_a_id=a, person_b_id=b).exists():
            row.delete()
        else:
            row.person_a_id, row.person_b_id = a, b
            row.save(update_fields=["person_a", "person_b"])
        moved += 1
    return moved


RESOLVERS: dict[str, Callable[[Person, Person], int]] = {
    "people.Relationship": _relationships,
    "people.DuplicateDismissal": _dismissals,
}


def relations_count(remove: Person) -> list[tuple[Relation, int]]:
    """What a merge would move: (relation, rows) for every relation with rows."""
    out = []
    for rel in person_relations():
        n = rel.rows(remove.pk, remove.association_id).count()
        if n:
            out.append((rel, n))
    return out


def relations_move(keep: Person, remove: Person) -> dict[str, int]:
    """Move every row referencing ``remove`` to ``keep``; returns rows moved per relation.

    Checks every clash before moving anything, so a refused merge changes nothing even
    outside a transaction; the caller's transaction makes the whole merge atomic."""
    relations = person_relations()
    blocked = [rel.label for rel in relations
               if rel.model._meta.label not in RESOLVERS and _unique_sets(rel)
               and _clashes(rel, keep, remove)]
    if blocked:
        raise MergeConflict(
            "Both people have rows that may exist only once per person: "
            + ", ".join(blocked) + ". Resolve them first.",
            fields={"remove_id": [f"conflicting rows in {label}" for label in blocked]})
    moved: dict[str, int] = {}
    for label, resolve in RESOLVERS.items():
        n = resolve(keep, remove)
        if n:
            moved[label] = n
    for rel in relations:
        if rel.model._meta.label in RESOLVERS:
            continue
        n = rel.rows(remove.pk, remove.association_id).update(**{rel.field.attname: keep.pk})
        if n:
            moved[rel.label] = n
    # The removed person's own change history: history rows carry the person's id as a
    # plain column, not a foreign key. Re-pointed so it stays reachable (and is erased
    # with the kept person later).
    n = Person.history.filter(id=remove.pk).update(id=keep.pk)
    if n:
        moved["people.HistoricalPerson.id"] = n
    # History tables are moved by a plain UPDATE (no resolver can miss rows there) and have
    # no person index: re-reading them would only cost another scan.
    left = [rel.label for rel in relations if not rel.is_history
            and rel.rows(remove.pk, remove.association_id).exists()]
    if left:  # a resolver missed rows: never delete the person over them
        raise MergeConflict("Rows still reference the removed person: " + ", ".join(left))
    return moved
