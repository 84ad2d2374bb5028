"""Stores: the embedded Oxigraph (default) or a remote SPARQL 1.1 server. Only this package talks to them."""
from .base import SYS, Bindings, GraphNames, Revision, bind
from .oxigraph import OxigraphStore
from .scratch import ScratchStore

Store = OxigraphStore  # the interface every backend offers (see `remote.RemoteStore`)

__all__ = ["SYS", "Bindings", "GraphNames", "Revision", "Store", "OxigraphStore", "ScratchStore", "bind"]
