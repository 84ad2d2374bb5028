"""`python -m graphe.cli`: the `graphe` command."""
import sys

from .main import main

sys.exit(main())
