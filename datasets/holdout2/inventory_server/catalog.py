import csv
from dataclasses import asdict, dataclass
from pathlib import Path

STOCK_CSV = Path(__file__).with_name("stock.csv")


@dataclass
class Item:
    sku: str
    name: str
    warehouse: str
    quantity: int

    def as_dict(self) -> dict:
        return asdict(self)


def load() -> list[Item]:
    if not STOCK_CSV.exists():
        return []
    with STOCK_CSV.open(newline="") as fh:
        return [
            Item(r["sku"], r["name"], r["warehouse"], int(r["quantity"]))
            for r in csv.DictReader(fh)
        ]


def by_sku(sku: str) -> Item | None:
    return next((i for i in load() if i.sku == sku.upper()), None)
