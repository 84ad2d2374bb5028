"""Stores: the embedded Oxigraph (default) or a remote SPARQL 1.1 server. Only this package talks to them."""
from .base import SYS, Bindings, GraphNames, Revision, bind
from .oxigraph import OxigraphStore
from .protocol import Store
from .scratch import ScratchStore

__all__ = ["SYS", "Bindings", "GraphNames", "Revision", "Store", "OxigraphStore", "ScratchStore", "bind"]
