"""The owner's pages: the department's home and the owner's registry (registry: sites, cameras,
consent, pauses) and who accessed their cameras (access_log)."""
