"""The press: media outlets, journalists' accounts and accreditation (Cabinet resolutions 243 and 33), the
accreditation card, media requests through the appeals workflow (ZRU-369: 7 days), press events and
embargoed press releases to accredited journalists."""
