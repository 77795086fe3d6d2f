"""Forms for the staff UI and the portal. They only collect input: services validate.

A service refuses bad input with ``ValidationFailed(fields=…)``; ``add_domain_errors`` puts
those messages next to the matching form fields so they are shown (and announced) in place.
"""

from __future__ import annotations

from typing import Any

from django import forms

from commonground.core.forms import CUSTOM_PREFIX

from .models import Chapter, CustomFieldDefinition, FieldKind, RelationshipKind, Sector


class PersonForm(forms.Form):
    """A person's editable fields plus one field per custom field the association defines."""

    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.CharField(max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(max_length=40, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
                            help_text="With the country code, or local to the address country")
    address_line1 = forms.CharField(label="Address", max_length=200, required=False)
    address_line2 = forms.CharField(label="Address (line 2)", max_length=200, required=False)
    city = forms.CharField(max_length=120, required=False)
    region = forms.CharField(label="Region / state", max_length=120, required=False)
    postal_code = forms.CharField(max_length=20, required=False)
    country = forms.CharField(max_length=2, required=False,
                              help_text="Two-letter code, e.g. US, GB, NL")
    chapter = forms.ModelChoiceField(queryset=Chapter.objects.none(), required=False,
                                     empty_label="(none)")
    external_id = forms.CharField(label="External id", max_length=100, required=False)

    portal_fields = ("first_name", "last_name", "phone", "address_line1", "address_line2", "city",
                     "region", "postal_code", "country")

    def __init__(self, *args: Any, portal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if portal:
            for name in list(self.fields):
                if name not in self.portal_fields:
                    del self.fields[name]
        else:
            self.fields["chapter"].queryset = Chapter.objects.order_by("name")
        self.definitions = list(CustomFieldDefinition.objects.all())
        for d in self.definitions:
            self.fields[CUSTOM_PREFIX + d.key] = _custom_field(d)

    @classmethod
    def initial_for(cls, person) -> dict[str, Any]:
        data = {name: getattr(person, name) for name in
                ("first_name", "last_name", "email", "phone", "address_line1", "address_line2",
                 "city", "region", "postal_code", "country", "external_id")}
        data["chapter"] = person.chapter_id
        for key, value in (person.custom or {}).items():
            data[CUSTOM_PREFIX + key] = value
        return data

    def service_data(self) -> dict[str, Any]:
        """cleaned_data shaped for person_create / person_update."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith(CUSTOM_PREFIX)}
        if "chapter" in data:
            data["chapter"] = data["chapter"]
        data["custom"] = {d.key: self.cleaned_data.get(CUSTOM_PREFIX + d.key)
                          for d in self.definitions}
        return data


def _custom_field(d: CustomFieldDefinition) -> forms.Field:
    common = {"label": d.label, "required": False, "help_text": d.help_text}
    if d.required:
        common["label"] = f"{d.label} (required)"
    if d.kind == FieldKind.BOOLEAN:
        return forms.BooleanField(**common)
    if d.kind == FieldKind.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in d.choices], **common)
    if d.kind == FieldKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if d.kind == FieldKind.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if d.kind == FieldKind.URL:
        return forms.CharField(widget=forms.URLInput(), **common)
    return forms.CharField(**common)


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    sector = forms.ChoiceField(choices=Sector.choices)
    website = forms.CharField(max_length=200, required=False, widget=forms.URLInput())
    email = forms.CharField(max_length=254, required=False, widget=forms.EmailInput())
    phone = forms.CharField(max_length=40, required=False)
    city = forms.CharField(max_length=120, required=False)
    country = forms.CharField(max_length=2, required=False, help_text="Two-letter code")


class RelationshipForm(forms.Form):
    organisation = forms.CharField(
        label="Organisation name", max_length=200,
        help_text="An existing organisation with this name is used; otherwise it is created")
    kind = forms.ChoiceField(label="Relationship", choices=RelationshipKind.choices)
    title = forms.CharField(label="Job title", max_length=120, required=False)


class ChapterForm(forms.Form):
    name = forms.CharField(max_length=120)
    region = forms.CharField(max_length=120, required=False)


class CustomFieldForm(forms.Form):
    key = forms.CharField(max_length=64, help_text="Short machine name, e.g. employer_size")
    label = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=FieldKind.choices)
    choices = forms.CharField(required=False, help_text="For a choice field: one per line",
                              widget=forms.Textarea(attrs={"rows": 3}))
    required = forms.BooleanField(required=False)
    help_text = forms.CharField(max_length=200, required=False)

    def choice_list(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data.get("choices", "").splitlines() if c.strip()]


class EraseForm(forms.Form):
    confirm = forms.CharField(label="Type ERASE to confirm", max_length=10)

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != "ERASE":
            raise forms.ValidationError("Type ERASE in capitals to confirm")
        return value
