"""The ontology's terms as code: the typed namespace generated from `ontology/graphe.ttl` (`namespaces`,
written by `python -m graphe.cli.codegen`), and the one description of a practice's fields (`practice`) from
which sheets, CSV, GraphQL and search derive theirs. Imports only `core`."""
