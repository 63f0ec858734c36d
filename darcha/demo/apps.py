from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Namangan demo data. Depends on every app; nothing depends on it."""

    name = "darcha.demo"
    label = "demo"
    verbose_name = "Demo data"
