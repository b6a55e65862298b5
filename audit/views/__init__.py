"""The access log's pages: the oversight page (log), the board's workspace (search, exports,
administrative changes), its dashboard and its anomaly queue. The public proofs are audit.api."""
