"""Deal amounts and line items.

Seven deals in ten carry line items (one to three products at a discount off list); their amount is the
sum of the items, as Salesforce computes it. The rest keep their drawn amount rounded to hundreds, and a
few open or lost ones have none at all. Money here is in the corporate currency (USD); the original
amount is the USD amount at the account currency's rate.
"""

from __future__ import annotations

import numpy as np

from sandbox.generator.deals import Columns
from sandbox.generator.reference import CURRENCIES, PRODUCTS
from sandbox.generator.sampling import choose

ITEMS_SHARE = 0.7
NULL_AMOUNT_SHARE = 0.03
ITEMS_PER_DEAL = np.array([0.5, 0.35, 0.15])  # one, two, three products


def price_deals(rng: np.random.Generator, deals: Columns, currency: np.ndarray) -> tuple[Columns, Columns]:
    """(amount columns per deal, line item columns). `currency` is each deal's currency code."""
    n = len(deals["amount"])
    with_items = np.flatnonzero(rng.random(n) < ITEMS_SHARE)
    per_deal = choose(rng, ITEMS_PER_DEAL, with_items.size) + 1
    item_deal = np.repeat(with_items, per_deal)
    m = item_deal.size
    product_weight = np.array([p.weight for p in PRODUCTS])
    product = choose(rng, product_weight / product_weight.sum(), m)

    share = rng.gamma(2.0, 1.0, m)
    share /= np.bincount(item_deal, weights=share, minlength=n)[item_deal]
    target = deals["amount"][item_deal] * share
    list_price = np.array([p.list_price for p in PRODUCTS])[product]
    # A product bigger than the deal's budget for it is sold at a negotiated price instead.
    unit = np.minimum(list_price * (1.0 - rng.uniform(0.0, 0.25, m)), target)
    unit_cents = np.maximum(100, np.round(unit * 100)).astype(np.int64)
    quantity = np.maximum(1, np.round(target * 100 / unit_cents)).astype(np.int64)

    amount = np.maximum(100.0, np.round(deals["amount"], -2))
    total_price = quantity * (unit_cents / 100)  # exactly quantity × unit_price, as a reader computes it
    item_sum = np.round(np.bincount(item_deal, weights=total_price, minlength=n), 2)
    amount[with_items] = item_sum[with_items]
    has_items = np.zeros(n, dtype=bool)
    has_items[with_items] = True
    no_amount = ~has_items & ~deals["is_won"] & (rng.random(n) < NULL_AMOUNT_SHARE)
    amount[no_amount] = np.nan

    rate = np.array([c.rate for c in CURRENCIES])[currency]
    decimals = np.array([c.decimals for c in CURRENCIES])[currency]
    scale = 10.0 ** decimals
    original = np.round(amount * rate * scale) / scale
    items = {
        "deal": item_deal,
        "product": product,
        "quantity": quantity.astype(np.float64),
        "unit_price": unit_cents / 100,
        "total_price": total_price,
    }
    return {"amount": amount, "amount_original": original}, items
