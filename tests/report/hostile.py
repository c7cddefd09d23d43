"""Text that a spreadsheet would run as a formula if exported as it is (OWASP CSV injection)."""

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x.example/steal","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rx",
]
#: What a spreadsheet treats as the start of a formula, written out independently of the code.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
