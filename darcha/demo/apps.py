from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Namangan demo data. Depends on every app; nothing depends on it."""

    name = "darcha.demo"
    label = "demo"
    verbose_name = "Demo data"

    def ready(self) -> None:
        # `darcha serve` ends its banner with the demo users (darcha.core.serve_banner).
        from darcha.core.serve_banner import register_section

        from .loader import demo_login_lines

        register_section("demo.logins", demo_login_lines)
