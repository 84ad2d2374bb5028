"""What every layer uses and that depends on no other part of Graphe: coded bilingual errors (`errors`), RDF
terms and formats (`rdf`), settings (`settings`), a request's time budget (`deadline`) and the record of
what an answer read (`readset`). Imports nothing from the rest of the package."""
