"""The read side: entities as the published graph gives them (`entities`), filtered and ordered lists
(`filters`, `listing`, `ordering`), derived values kept per public revision (`readcache`), the reads the
edges share (`reads`) and exports (`exports`). Imports `core`, `model`, `store`."""
