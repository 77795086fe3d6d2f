"""A production configuration passes Django's deployment checks."""

import os
import subprocess
import sys


def test_check_deploy_is_clean_for_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMONGROUND_")}
    env.update({
        "COMMONGROUND_DATA_DIR": str(tmp_path),
        "COMMONGROUND_SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "COMMONGROUND_ALLOWED_HOSTS": "ams.example.org",
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
    })
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMONGROUND_")}
    env.update({"COMMONGROUND_DATA_DIR": str(tmp_path),
                "DJANGO_SETTINGS_MODULE": "commonground.settings"})
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "False", out.stderr
