"""Tests of the local stand-ins the demo, the tests and the benchmarks rely on."""
