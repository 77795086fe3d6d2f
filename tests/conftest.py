from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django_scopes import scope, scopes_disabled

# A real SMTP server on loopback (aiosmtpd) for tests that send email.
from _smtp import _smtp_controller, smtp_server  # noqa: F401
from commonground.activity.services import source_create
from commonground.people.services import person_create
from commonground.tenancy.services import association_create, staff_add


@pytest.fixture(autouse=True, scope="session")
def _data_dir_per_worker(worker_id):
    """Each test worker has its own database, so its own data dir: batch folders are named
    by batch id (``<data dir>/history/1``), which every worker's first batch shares."""
    if worker_id != "master":
        django_settings.DATA_DIR = Path(django_settings.DATA_DIR) / f"worker-{worker_id}"
        django_settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _test_http_settings(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The test client speaks plain HTTP; production settings would redirect it to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
    # Real hashers cost ~0.3 s per password; tests prove behaviour, not key stretching.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def association(db):
    return association_create(slug="acme", name="Acme Society", country="US", currency="USD")


@pytest.fixture
def other_association(db):
    return association_create(slug="other", name="Other Guild", country="GB", currency="GBP")


@pytest.fixture
def scoped(association):
    """Run the test body inside the association's scope."""
    with scope(association=association):
        yield association


@pytest.fixture
def staff_user(association):
    staff = staff_add(association=association, email="director@acme.example.org",
                      role_key="membership", password="correct horse battery")
    return staff.user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def no_scope():
    with scopes_disabled():
        yield


@pytest.fixture
def jane(scoped):
    """A person the activity feeds below match by email."""
    return person_create(association=scoped, first_name="Jane", email="jane@example.org")


@pytest.fixture
def newsletter(scoped):
    """An email-platform activity source."""
    return source_create(association=scoped, name="Newsletter", profile="email")
