"""The information service's pages, one module per screen: `staff` (the hokimiyat's appeals staff),
`public` (the author and everyone), `verify` (the answer letter's verification). Each keeps its own
`urlpatterns`; `infoservice/urls.py` joins them."""
