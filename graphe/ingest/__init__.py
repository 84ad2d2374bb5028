"""Files become RDF: practice sheets in Markdown and CSV (`sheets*`), RDF files scanned and checked in
chunks (`filescan`, `chunked`), and validated loads into the store (`loading`). Imports `core`, `model`,
`store`, `validation`, and `read` for the CSV export's cell escaping (read back here)."""
