"""Benchmarks: run with `./dev bench`; results land in docs/BENCHMARKS.md."""
