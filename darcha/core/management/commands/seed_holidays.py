from django.core.management.base import BaseCommand
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.services import holidays_seed


class Command(BaseCommand):
    help = "Load the official Uzbek calendar (days off, transferred working days); manual entries are kept."

    def add_arguments(self, parser):
        year = timezone.localdate().year
        parser.add_argument("--from-year", type=int, default=year - 1)
        parser.add_argument("--to-year", type=int, default=year + 2)

    def handle(self, *args, from_year, to_year, **options):
        created = holidays_seed(actor=SYSTEM, years=list(range(from_year, to_year + 1)))
        self.stdout.write(f"Calendar {from_year}–{to_year}: {created} new days.")
