"""What the hokimiyat tells citizens and the press: publications in four languages (news, announcements,
decisions, press releases, events) with scheduled publishing, feeds and the sitemap, the mandatory
disclosures (ZRU-369, Cabinet resolution 373 annex 3), and subscriptions by e-mail and Telegram."""
