"""Sent once a publication goes out (after the transaction commits): `publication_published.send(
sender=Publication, publication=pub)`. Subscriptions and the press releases' embargo listen to it.
`publication_scheduled` is sent after the commit of `publication_schedule` (publication=…, actor=…): the
media app sends an embargoed press release to the accredited journalists then."""

from django.dispatch import Signal

publication_published = Signal()
publication_scheduled = Signal()
