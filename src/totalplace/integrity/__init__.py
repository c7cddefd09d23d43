"""Payment integrity: duplicate payments, split orders, unusual patterns and supplier concentration."""
