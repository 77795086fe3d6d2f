from decimal import Decimal

import pytest

from commonground.membership import services as membership_services
from commonground.membership.models import Invoice, Payment
from commonground.people import services
from commonground.people.models import Person
from commonground.people.privacy import person_export
from commonground.tenancy.models import AuditEntry


@pytest.fixture
def member(scoped, staff_user):
    person = services.person_create(association=scoped, first_name="Grace", last_name="Hopper",
                                    email="grace@navy.example.org", phone="+1 202 555 0111",
                                    city="Arlington", region="VA", country="US", actor=staff_user)
    services.person_update(association=scoped, person=person, city="Washington",
                           actor=staff_user)
    plan = membership_services.plan_save(association=scoped, name="Individual", price="99.50")
    m = membership_services.membership_join(association=scoped, plan=plan, person=person)
    membership_services.payment_record(invoice=m.invoices.get(), amount="99.50", method="cash")
    return person


def test_export_holds_everything_on_the_person(member, staff_user):
    data = person_export(member, actor=staff_user)
    assert data["person"]["email"] == "grace@navy.example.org"
    assert data["memberships"][0]["plan"] == "Individual"
    assert data["memberships"][0]["terms"] and data["memberships"][0]["transitions"]
    assert data["invoices"][0]["amount"] == "99.50"
    assert data["invoices"][0]["payments"][0]["amount"] == "99.50"
    assert [h["change"] for h in data["change_history"]] == ["Created", "Changed"]
    assert data["change_history"][-1]["by"] == staff_user.email
    assert any(a["action"] == "person.created" for a in data["audit_trail"])
    assert AuditEntry.objects.filter(action="person.exported", object_id=member.pk).exists()


def test_erase_removes_identity_but_keeps_money(member, staff_user):
    services.person_erase(association=member.association, person=member, actor=staff_user)
    person = Person.objects.get(pk=member.pk)
    assert person.email == "" and person.first_name == "" and person.phone == ""
    assert person.last_name == "Erased person" and person.erased_at
    # Identity is gone from the change history too.
    assert not person.history.filter(email="grace@navy.example.org").exists()
    assert not person.history.filter(city="Arlington").exists()
    # Money and membership facts stay for the books and anonymous aggregates.
    invoice = Invoice.objects.get(person=person)
    assert invoice.amount == Decimal("99.50") and invoice.billed_to == ""
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert person.memberships.count() == 1
    assert AuditEntry.objects.filter(action="person.erased", object_id=person.pk).exists()
    # Erasing again is a no-op; the email is free for a new record.
    services.person_erase(association=member.association, person=person)
    services.person_create(association=member.association, email="grace@navy.example.org")


def test_email_is_normalised_and_unique_within_association(scoped, other_association):
    from django_scopes import scope

    from commonground.core.errors import Conflict

    services.person_create(association=scoped, email="Alan.Turing@Example.ORG")
    with pytest.raises(Conflict):
        services.person_create(association=scoped, email="alan.turing@example.org ")
    with scope(association=other_association):
        services.person_create(association=other_association, email="alan.turing@example.org")


def test_invalid_contact_data_reports_every_field(scoped):
    from commonground.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        services.person_create(association=scoped, first_name="X", email="not-an-email",
                               phone="12", city="Austin", postal_code="1", country="US")
    assert set(err.value.fields) == {"email", "phone", "postal_code"}


def test_custom_fields_are_validated(scoped):
    from commonground.core.errors import ValidationFailed

    services.custom_field_define(association=scoped, key="specialty", label="Specialty",
                                 kind="choice", choices=["Surgery", "Research"])
    services.custom_field_define(association=scoped, key="years", label="Years", kind="number")
    p = services.person_create(association=scoped, last_name="Curie",
                               custom={"specialty": "research", "years": "12"})
    assert p.custom == {"specialty": "Research", "years": "12"}
    with pytest.raises(ValidationFailed) as err:
        services.person_update(association=scoped, person=p, custom={"years": "many", "nope": 1})
    assert set(err.value.fields) == {"custom.years", "custom.nope"}


def test_queries_without_a_scope_fail_loudly(db):
    from django_scopes.exceptions import ScopeError

    with pytest.raises(ScopeError):
        list(Person.objects.all())
