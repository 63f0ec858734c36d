"""`darcha load_demo`: the Namangan demo data; safe to run on every start (`make run`)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from darcha.demo.loader import REGION, load_demo, report_lines
from darcha.demo.reader import load_region


class Command(BaseCommand):
    help = "Load the Namangan demo (organizations, catalog, procedures, counters, users, appeals). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Create the demo users (shared, published password) even when DARCHA_PRODUCTION is on.",
        )
        parser.add_argument(
            "--preschool-children",
            type=int,
            default=None,
            help="Children in the kindergarten queue (default: the full queue of preschool.toml, about 5,000).",
        )
        parser.add_argument(
            "--appeals",
            type=int,
            default=None,
            help="Appeals in the hokimiyats' year (default: appeals.toml's run_count, the year's 3,000).",
        )

    def handle(
        self,
        *args,
        allow_production: bool = False,
        preschool_children: int | None = None,
        appeals: int | None = None,
        verbosity: int = 1,
        **options,
    ):
        with_users = allow_production or not settings.PRODUCTION
        if not with_users:
            self.stderr.write(
                self.style.WARNING(
                    "DARCHA_PRODUCTION is on: the demo users (shared password) are not created. "
                    "Pass --allow-production to create them anyway."
                )
            )
        if preschool_children is None:
            preschool_children = load_region(REGION)["preschool"]["queue"]["children"]
        if appeals is None:
            appeals = load_region(REGION)["appeals"]["run_count"]
        result = load_demo(with_users=with_users, preschool_children=preschool_children, appeals_count=appeals)
        if verbosity:
            self.stdout.write("\n".join(report_lines(result)))
