"""What every app may use and that knows no app (the lowest layer: it imports no Porchlight app)."""
