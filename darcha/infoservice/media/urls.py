"""The media pages (language-prefixed, under /<lang>/press/), names `media:<name>`: the journalist's
sign-up and account, the accreditation commission's desk, the card's verification and the outlets'
registry (views/), and the press events and embargoed releases (events/views.py)."""

from .events.views import urlpatterns as event_urls
from .views.commission import urlpatterns as commission_urls
from .views.journalist import urlpatterns as journalist_urls
from .views.public import urlpatterns as public_urls

app_name = "media"

urlpatterns: list = [*journalist_urls, *commission_urls, *public_urls, *event_urls]
