"""Money read back from the database, as Decimal to the fen (DESIGN rule 8: Decimal money, half-up)."""
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def to_fen(value: Decimal) -> Decimal:
    """Round half-up to the fen (DESIGN rule 8)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def fen(value) -> Decimal:
    """A database sum as Decimal to the fen. PostgreSQL returns numeric (no round trip through str: a county's
    dues report has 80 000 of them); SQLite sums decimals as floats (323.3400000000000) or returns text."""
    return to_fen(value if type(value) is Decimal else Decimal(str(value or 0)))
