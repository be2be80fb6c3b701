"""Everything that talks to Amazon IVS Real-Time: query parsing, fetching, errors, cache, rate limit."""
