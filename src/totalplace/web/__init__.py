"""The partnership web service: one set of numbers for every partner, the board and residents."""
