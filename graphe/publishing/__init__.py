"""The publishing workflow: accounts and tokens (`accounts`), drafts and what a draft may describe
(`drafts`), review, publication, versions and retirement (`workflow`), the change feed (`feed`). Imports
`core`, `store`, `validation`, `ingest`."""
