"""Sent once a publication goes out (after the transaction commits): `publication_published.send(
sender=Publication, publication=pub)`. Subscriptions and the press releases' embargo listen to it."""

from django.dispatch import Signal

publication_published = Signal()
