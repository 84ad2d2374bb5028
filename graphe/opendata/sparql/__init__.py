"""The public SPARQL 1.1 endpoint: checks, worker processes, result formats, HTTP."""
