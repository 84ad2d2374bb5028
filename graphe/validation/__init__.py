"""Compiled SHACL: the shapes compiled to SPARQL checks run on the store or a scratch store (`shacl`), the
validator used by every write (`validator`) and its bilingual report (`report`). Imports `core`, `model`,
`store`."""
