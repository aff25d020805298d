"""The demo catalog: 55 products in 5 categories, created through the same use case as an
operator's, so each one publishes its event. Seeding twice creates nothing new."""

from __future__ import annotations

from orion.modules.catalog.contracts.commands import SeedDemoCatalog
from orion.modules.catalog.domain.errors import DuplicateSku
from orion.shared_kernel.application.mediator import Mediator

from .commands import CreateProduct
from .queries import ListProducts

_CATALOG: dict[str, list[tuple[str, str, int]]] = {
    "Apparel": [
        ("Organic cotton T-shirt", "Soft, heavyweight, made to last.", 1999),
        ("Merino wool sweater", "Warm without the itch.", 8900),
        ("Rain jacket", "Taped seams, packs into its own pocket.", 12900),
        ("Denim jeans", "Straight fit, selvedge denim.", 7900),
        ("Linen shirt", "Breathes on the hottest days.", 5900),
        ("Hooded sweatshirt", "Brushed fleece inside.", 4900),
        ("Running shorts", "Light, with a zipped pocket.", 2900),
        ("Wool socks, 3 pairs", "Cushioned sole, reinforced heel.", 1800),
        ("Canvas cap", "Adjustable strap.", 2200),
        ("Leather belt", "Full-grain, brass buckle.", 3900),
        ("Down vest", "650 fill power.", 9900),
    ],
    "Books": [
        ("Designing Data-Intensive Applications", "Reliable, scalable systems.", 4500),
        ("Architecture Patterns with Python", "DDD and events in Python.", 3900),
        ("The Pragmatic Programmer", "From journeyman to master.", 4200),
        ("Release It!", "Design and deploy production-ready software.", 4100),
        ("Domain-Driven Design", "Tackling complexity in software.", 5900),
        ("Refactoring", "Improving the design of existing code.", 4700),
        ("Site Reliability Engineering", "How Google runs production.", 4400),
        ("Fluent Python", "Clear, concise, effective programming.", 5200),
        ("Database Internals", "How distributed data systems work.", 4800),
        ("Enterprise Integration Patterns", "Messaging solutions.", 5600),
        ("Working Effectively with Legacy Code", "Change code you fear.", 4600),
    ],
    "Home": [
        ("Ceramic mug", "350 ml, dishwasher safe.", 1400),
        ("Cast iron skillet", "26 cm, pre-seasoned.", 3900),
        ("Linen tea towels, 2", "Absorbent, lint free.", 1600),
        ("French press", "1 litre, borosilicate glass.", 2900),
        ("Chef's knife", "20 cm, high-carbon steel.", 8900),
        ("Bamboo cutting board", "Large, with juice groove.", 2400),
        ("Wool throw blanket", "130 x 170 cm.", 6900),
        ("Scented candle", "Soy wax, 40 hours.", 1900),
        ("Glass storage jars, 3", "Airtight lids.", 2200),
        ("Table lamp", "Linen shade, E27.", 5400),
        ("Cotton bath towel", "600 g/m2.", 2500),
    ],
    "Electronics": [
        ("Wireless earbuds", "Noise cancelling, 24 h with case.", 12900),
        ("Mechanical keyboard", "Hot-swappable, tactile switches.", 11900),
        ("USB-C charger 65 W", "Two ports, GaN.", 4900),
        ("Portable SSD 1 TB", "1,050 MB/s.", 10900),
        ("E-reader", "6 inch glare-free screen.", 13900),
        ("Bluetooth speaker", "Waterproof, 12 h.", 7900),
        ("Wireless mouse", "Silent clicks.", 2900),
        ("Webcam 1080p", "Autofocus, privacy shutter.", 5900),
        ("Smart plug", "Energy monitoring.", 1900),
        ("Power bank 20,000 mAh", "Charges a laptop.", 4900),
        ("HDMI cable 2 m", "4K at 120 Hz.", 1400),
    ],
    "Outdoors": [
        ("Trail running shoes", "Grippy, light, 6 mm drop.", 13900),
        ("Insulated bottle", "750 ml, cold for 24 h.", 3400),
        ("Two-person tent", "1.8 kg, three seasons.", 24900),
        ("Sleeping bag", "Comfort 2 degrees C.", 15900),
        ("Headlamp", "400 lumens, rechargeable.", 3900),
        ("Trekking poles", "Carbon, foldable.", 8900),
        ("Daypack 22 l", "Ventilated back panel.", 7400),
        ("Camping stove", "Folding, 2,600 W.", 4400),
        ("First aid kit", "For two people, one week.", 2900),
        ("Hammock", "Parachute nylon, with straps.", 3900),
        ("Merino beanie", "Warm when wet.", 2400),
    ],
}


def demo_products(currency: str = "EUR") -> list[CreateProduct]:
    products = []
    for category, items in _CATALOG.items():
        for number, (name, description, price) in enumerate(items, start=1):
            products.append(
                CreateProduct(
                    sku=f"DEMO-{category[:3].upper()}-{number:03d}",
                    name=name,
                    description=description,
                    category=category,
                    price_amount=price,
                    price_currency=currency,
                    stock=(number * 7) % 40,  # some are sold out, to show in_stock filtering
                )
            )
    return products


class SeedDemoCatalogHandler:
    """Seeds through the same use case as an operator's, so each product publishes its event."""

    def __init__(self, mediator: Mediator) -> None:
        self._mediator = mediator

    async def __call__(self, command: SeedDemoCatalog) -> int:
        if command.only_if_empty and (await self._mediator.ask(ListProducts(limit=1))).items:
            return 0
        created = 0
        for product in demo_products():
            try:
                await self._mediator.send(product)
            except DuplicateSku:
                continue
            created += 1
        return created
