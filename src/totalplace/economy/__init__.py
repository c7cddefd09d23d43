"""The local economy: spend with suppliers in the place, LM3, and the jobs behind a cut or a shift."""
