"""What open-data portals harvest: the read-only SPARQL 1.1 endpoint (`sparql`: parse-tree guard, worker
processes without network), dumps and CSV (`http`), the DCAT-AP catalogue and VoID (`catalog`). An edge: it
reads through `service` and the read side."""
