import os
import subprocess
import sys


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DARCHA_PRODUCTION": "1",
        "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "darcha.example.uz",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        **{"NOTIFY_SMS_BACKEND": "file", "NOTIFY_EMAIL_BACKEND": "off", "NOTIFY_TELEGRAM_BACKEND": "off"},
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "darcha.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DARCHA_PRODUCTION": "1", "SECRET_KEY": "", "DATABASE_URL": f"sqlite:///{tmp_path}/x"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "darcha.manage", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
