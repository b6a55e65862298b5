"""The city's business licences and building permits: imported from its CSV files, matched to
registered sites, and the covered businesses that are not registered invited to register.

One module per concern: ``addresses`` (the matching key of an address), ``reader`` (the CSV,
its encoding, header and column mapping, row by row, no ORM), ``services`` (the import, the
matching, the invitations), ``selectors`` (reads), ``letters`` (the PDF mail merge)."""
