"""Helpers of the notify tests (the stand-in servers' fixtures are in conftest.py)."""

ESKIZ_EMAIL = "darcha@example.uz"
ESKIZ_PASSWORD = "eskiz-secret"
TELEGRAM_TOKEN = "123456:ABC-stand-in"
CALLBACK_URL = "https://darcha.example.uz/notify/eskiz/callback/"
