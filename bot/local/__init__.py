"""Local stand-ins used by the demo, the console, the tests and the benchmarks (never in production)."""
