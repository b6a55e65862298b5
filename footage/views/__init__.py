"""Footage pages: the console's (console), the owner's (owner, and the resumable upload API in
uploads), and the department's integrity notices (integrity)."""
