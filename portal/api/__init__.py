"""The owner's API beside the pages: who accessed their cameras (access_log)."""
