"""The `graphe` command (`main`), its administrative commands (`admin`, relayed to a running service through
`graphe.relay`), the HTTP server (`server`) and the code generator (`codegen`). The outermost edge: it may
import everything below it."""
