"""Compiled SHACL validation: the shapes as SPARQL queries, run on a scratch Oxigraph (see `graphe.validation.validator`)."""
