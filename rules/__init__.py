"""goleaklint's rules: one module per rule, named after its slug, discovered by the registry."""
