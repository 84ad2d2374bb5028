"""`python -m graphe.validation`: writes `ontology/reach.json` (what the shapes read around a node, for the
validation of large files in chunks) for `ontology/shapes.ttl`; a test fails when it is stale."""
from ..core.settings import PROJECT_ROOT
from .shacl.reach import save, shapes_key
from .validator import Validator

folder = PROJECT_ROOT / "ontology"
validator = Validator.from_directory(folder)
print(save(validator.plan, shapes_key(validator.shapes), folder / "reach.json"))
