"""Protection of the public intake: rate limits (``ratelimit``) and proof of work (``pow``)."""
