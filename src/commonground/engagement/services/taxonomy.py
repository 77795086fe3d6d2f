"""The association's taxonomies: defaults installed once, entries added and edited by staff."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from commonground.core.errors import Conflict
from commonground.tenancy import audit
from commonground.tenancy.models import Association

from .. import defaults
from ..models import Trait, TraitKind
from .common import clean_choice, clean_text, raise_if


def _default_rows(association: Association) -> list[Trait]:
    rows = []
    sets = ((TraitKind.MOTIVATION, defaults.MOTIVATIONS_SEED003, "seed003", True),
            (TraitKind.MOTIVATION, defaults.MOTIVATIONS_VFI, "vfi", False),
            (TraitKind.SKILL, defaults.SKILLS, "", True),
            (TraitKind.INTEREST, defaults.INTERESTS, "", True))
    for kind, entries, framework, active in sets:
        for order, (slug, name, description, synonyms) in enumerate(entries, start=1):
            rows.append(Trait(association=association, kind=kind, slug=slug, name=name,
                              description=description, synonyms=list(synonyms),
                              framework=framework, order=order * 10, is_active=active))
    return rows


@transaction.atomic
def taxonomy_install_defaults(*, association: Association, actor: Any = None) -> int:
    """Add the default motivations, skills and interests the association does not have yet
    (by kind and slug). Entries staff changed or deactivated stay as they are, so running it
    again (or lazily from a page) adds nothing. Returns how many were added."""
    have = set(Trait.objects.values_list("kind", "slug"))
    missing = [t for t in _default_rows(association) if (t.kind, t.slug) not in have]
    if not missing:
        return 0
    Trait.objects.bulk_create(missing, ignore_conflicts=True)
    audit.record(association=association, action="taxonomy.defaults_installed", actor=actor,
                 object_type="trait", data={"added": len(missing)})
    return len(missing)


def ensure_taxonomy(association: Association) -> None:
    """Pages that list the taxonomy install the defaults on first use."""
    if not Trait.objects.exists():
        taxonomy_install_defaults(association=association)


def parse_synonyms(value: Any) -> list[str]:
    """Synonyms from a list or from text separated by commas, semicolons or new lines:
    lower-cased, trimmed, duplicates dropped, order kept."""
    if isinstance(value, str):
        for sep in (";", "\n"):
            value = value.replace(sep, ",")
        value = value.split(",")
    out: list[str] = []
    for item in value or []:
        word = " ".join(str(item).split()).lower()
        if word and word not in out:
            out.append(word)
    return out


@transaction.atomic
def trait_save(*, association: Association, kind: str, name: str, trait: Trait | None = None,
               slug: str = "", description: str = "", synonyms: Any = (),
               framework: str = "", order: int | None = None, is_active: bool = True,
               actor: Any = None) -> Trait:
    """Create a taxonomy entry or change one (``trait``). The kind of an existing entry does
    not change (members' answers refer to it)."""
    errors: dict[str, list[str]] = {}
    kind = clean_choice(kind, field="kind", choices=TraitKind, errors=errors)
    name = clean_text(name, field="name", errors=errors, max_length=120)
    description = clean_text(description, field="description", errors=errors, max_length=300,
                             required=False)
    framework = clean_text(framework, field="framework", errors=errors, max_length=10,
                           required=False)
    words = parse_synonyms(synonyms)
    if len(words) > 50 or any(len(w) > 80 for w in words):
        errors.setdefault("synonyms", []).append("at most 50 synonyms of 80 characters")
    slug = slugify(slug or (trait.slug if trait else name)).replace("-", "_")[:64]
    if not slug and "name" not in errors:
        errors.setdefault("slug", []).append("needs letters or digits")
    if order is not None and not (0 <= int(order) <= 32767):
        errors.setdefault("order", []).append("between 0 and 32767")
    if trait is not None and trait.kind != kind:
        errors.setdefault("kind", []).append("an entry's kind cannot change")
    raise_if(errors)
    clash = Trait.objects.filter(kind=kind, slug=slug).exclude(pk=getattr(trait, "pk", None))
    if clash.exists():
        raise Conflict(f"There is already a {kind} {slug!r}", fields={"slug": ["already used"]})
    created = trait is None
    trait = trait or Trait(association=association, kind=kind)
    trait.slug, trait.name, trait.description = slug, name, description
    trait.synonyms, trait.framework, trait.is_active = words, framework, bool(is_active)
    if order is not None:
        trait.order = int(order)
    trait.save()
    audit.record(association=association, action="trait.created" if created else "trait.changed",
                 obj=trait, actor=actor, data={"kind": kind, "slug": slug, "active": trait.is_active})
    return trait
