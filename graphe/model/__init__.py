"""The ontology's terms as code: the typed namespace generated from `ontology/graphe.ttl` (`namespaces`,
written by `python -m graphe.cli.codegen`). Imports only `core`."""
