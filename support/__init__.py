"""Code the tests and the benchmarks share (neither imports the other's): the synthetic data generator."""
