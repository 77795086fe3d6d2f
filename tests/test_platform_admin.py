from django.contrib.auth import get_user_model

from commonground.people.services import person_create


def test_superuser_sees_people_across_associations(client, scoped, other_association):
    person_create(association=scoped, first_name="Ida", last_name="Wells")
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root-123!")
    client.force_login(admin)
    response = client.get("/platform-admin/people/person/")
    assert response.status_code == 200
    assert b"Wells" in response.content


def test_staff_cannot_use_the_platform_admin(staff_client):
    response = staff_client.get("/platform-admin/people/person/")
    assert response.status_code == 302 and "/login/" in response["Location"]
