"""The only code that talks to websites: transport, fetcher, robots, sitemaps, politeness."""
