"""Product search at 100,000 products: today's full-text search against the ``ILIKE``
substring match it replaced, side by side in one run, on the same database and engine.

    .venv/bin/python bench/search.py                   # 100,000 products, 30 rounds
    .venv/bin/python bench/search.py --products 20000 --rounds 50

Each round runs every search once each way, alternately, so that drift hits both; the table
shows each search's median and p95 in ms, how many rows it matched (of the first page's 20,
and in all), and the ratio ilike / fts of the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from pydantic import SecretStr

from _common import database_dsn, database_url, load_average, percentile, throwaway_database
from orion.bootstrap import Orion
from orion.modules.catalog.adapters.sql.read_model import SqlCatalogReadModel
from orion.modules.catalog.adapters.sql.tables import products
from orion.modules.catalog.application.queries import GetProductFacets, ListProducts
from orion.settings import Settings
from orion.shared_kernel.adapters.logging import configure_logging
from orion.shared_kernel.adapters.sql import keyset

SEARCHES = {
    "one common word": "mug",
    "one rare word": "kalomi",  # a brand: 1 product in 1,000
    "two words, out of order": "mug ceramic",
    "a prefix being typed": "cera",
    "a phrase": '"blue linen"',
    "no match": "zeppelin",
}
COLOURS = ["blue", "red", "green", "black", "white", "grey", "navy", "olive", "sand", "rust"]
MATERIALS = ["ceramic", "linen", "cotton", "wool", "oak", "steel", "glass", "leather", "cork"]
THINGS = [
    "mug", "plate", "bowl", "towel", "shirt", "sweater", "scarf", "chair", "lamp", "shelf",
    "jacket", "cap", "belt", "vase", "board", "jar", "basket", "rug", "pillow", "blanket",
    "notebook", "pen", "bag", "bottle", "box", "candle", "clock", "frame", "mirror", "tray",
    "kettle", "pan", "knife", "spoon", "glove", "sock", "boot", "tent", "lantern", "teapot",
]  # fmt: skip
WORDS = [
    "soft", "durable", "made", "to", "last", "handmade", "small", "batch", "washable",
    "light", "warm", "everyday", "gift", "classic", "modern", "simple", "sturdy", "recycled",
    "organic", "the", "with", "for", "and", "a", "of", "kitchen", "home", "outdoors", "travel",
]  # fmt: skip
CATEGORIES = ["Home", "Kitchen", "Apparel", "Outdoors", "Office", "Garden"]
SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "sil", "bra", "nu", "pe"]
BRANDS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]  # 1,000


def ilike_where(q: str) -> sa.ColumnElement[bool]:
    """What ``GET /api/v1/products?q=`` matched before full-text search: a visible product
    whose name or description contains ``q``, found by reading every one (no index)."""
    pattern = keyset.contains(q)
    return sa.and_(
        products.c.deleted_at.is_(None),
        products.c.active,
        sa.or_(
            products.c.name.ilike(pattern, escape="\\"),
            products.c.description.ilike(pattern, escape="\\"),
        ),
    )


def ilike_page(q: str) -> sa.Select[Any]:
    """Its first page: by name, 20 rows and one more to tell whether a next page exists."""
    shown = [column for column in products.columns if column.name not in {"search", "deleted_at"}]
    return (
        sa.select(*shown).where(ilike_where(q)).order_by(products.c.name, products.c.id).limit(21)
    )


def rows(count: int) -> list[tuple[Any, ...]]:
    """``count`` products of made-up names (a brand, a colour, a material, a thing) and
    descriptions (common words, a material, a thing in one of four), the same every run: a
    thing's word is in 1 to 3 % of products, a brand in 0.1 %."""
    draw = random.Random(42)  # noqa: S311 (made-up products, not secrets)
    now = datetime.now(UTC)
    made = []
    for index in range(count):
        thing = f"{draw.choice(COLOURS)} {draw.choice(MATERIALS)} {draw.choice(THINGS)}"
        name = f"{draw.choice(BRANDS)} {thing} {index}"
        words = draw.choices(WORDS + MATERIALS, k=11) + draw.choices(THINGS + [""] * 120)
        description = " ".join(word for word in words if word) + "."
        price, stock = draw.randint(100, 50_000), draw.randint(0, 50)
        category = draw.choice(CATEGORIES)
        sku = f"BENCH-{index:06d}"
        shown = (uuid.uuid4(), sku, name.capitalize(), description, category, price, "EUR")
        made.append((*shown, stock, True, now, now, None, 1))  # active, not deleted, version 1
    return made


async def load(name: str, count: int) -> None:
    connection = await asyncpg.connect(database_dsn(name))
    try:
        await connection.copy_records_to_table(
            "products",
            schema_name="catalog",
            records=rows(count),
            columns=[column.name for column in products.columns if column.name != "search"],
        )
        await connection.execute("ANALYZE catalog.products")
    finally:
        await connection.close()


async def timed(run: Callable[[], Awaitable[int]]) -> tuple[float, int]:
    started = time.perf_counter()
    found = await run()
    return (time.perf_counter() - started) * 1000, found


def shop(name: str) -> Orion:
    """An Orion on the database, for its read model and its migrations (no email is sent)."""
    data_dir = Path(tempfile.mkdtemp(prefix="orion_bench_"))
    return Orion(
        Settings(jwt_keys=SecretStr("bench:" + "k" * 40), data_dir=data_dir), database_url(name)
    )


async def measure(name: str, rounds: int) -> None:
    orion = shop(name)
    read_model = SqlCatalogReadModel(orion.engine)
    try:

        async def ilike(q: str) -> int:
            async with orion.engine.connect() as connection:
                return len((await connection.execute(ilike_page(q))).all()[:20])

        async def fts(q: str) -> int:
            return len((await read_model.list_products(ListProducts(q=q, limit=20))).items)

        async def ilike_total(q: str) -> int:
            async with orion.engine.connect() as connection:
                statement = sa.select(sa.func.count()).select_from(products).where(ilike_where(q))
                return int(await connection.scalar(statement) or 0)

        times: dict[tuple[str, str], list[float]] = {}
        found: dict[tuple[str, str], int] = {}
        for _ in range(2):  # warm up: plans, caches, the pool
            for q in SEARCHES.values():
                await ilike(q)
                await fts(q)
        for _ in range(rounds):
            for q in SEARCHES.values():
                for side, run in (("ilike", ilike), ("fts", fts)):
                    elapsed, matched = await timed(lambda run=run, q=q: run(q))
                    times.setdefault((q, side), []).append(elapsed)
                    found[(q, side)] = matched
        facets = [(await timed(lambda: facet_count(read_model)))[0] for _ in range(rounds)]
        print(f"{'search':<26} {'q':<14} {'ilike ms (p50/p95)':>19} {'fts ms (p50/p95)':>17}"
              f" {'ilike/fts':>9} {'matches ilike/fts':>18}")  # fmt: skip
        for label, q in SEARCHES.items():
            ilike_ms, fts_ms = times[(q, "ilike")], times[(q, "fts")]
            matched = await ilike_total(q)
            fts_total = (await read_model.product_facets(GetProductFacets(q=q))).total
            print(
                f"{label:<26} {q:<14} "
                f"{statistics.median(ilike_ms):>9.2f}/{percentile(ilike_ms, 95):<9.2f}"
                f"{statistics.median(fts_ms):>8.2f}/{percentile(fts_ms, 95):<8.2f}"
                f" {statistics.median(ilike_ms) / statistics.median(fts_ms):>9.1f}"
                f" {matched:>9}/{fts_total:<8}"
            )
        print(
            f"facets of 'mug' (total, categories, price bands): "
            f"{statistics.median(facets):.2f} ms p50, {percentile(facets, 95):.2f} ms p95"
        )
    finally:
        await orion.aclose()


async def facet_count(read_model: SqlCatalogReadModel) -> int:
    return (await read_model.product_facets(GetProductFacets(q="mug"))).total


async def migrate(name: str) -> None:
    orion = shop(name)
    try:
        await orion.migrate()
    finally:
        await orion.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    configure_logging(level="WARNING", fmt="console")
    print(load_average())
    with throwaway_database() as name:
        asyncio.run(migrate(name))
        started = time.perf_counter()
        asyncio.run(load(name, args.products))
        print(f"{args.products} products loaded (tsvector and GIN index kept up) in "
              f"{time.perf_counter() - started:.1f} s; {args.rounds} rounds")  # fmt: skip
        asyncio.run(measure(name, args.rounds))
    print(load_average())


if __name__ == "__main__":
    main()
