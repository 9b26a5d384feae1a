"""Writing generated bundles: any size into one folder, or the committed sample.

Files are written through ``dom.files.folder_writer``, so a failure leaves no half-written bundle.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from dom.files import folder_writer
from dom.generate.bundle import GeneratedBundle, make_bundle
from dom.generate.carriers import policy_yaml
from dom.generate.params import GeneratorParams


def generate(out_dir: str | os.PathLike[str], params: GeneratorParams) -> GeneratedBundle:
    """Draw an instance and write its bundle files and ``orders.csv`` into ``out_dir``."""
    bundle = make_bundle(params)
    out = Path(out_dir)
    write_bundle(bundle, out, out / "orders.csv")
    return bundle


def write_sample(root: str | os.PathLike[str] = "data/sample") -> GeneratedBundle:
    """Regenerate the sample: ``root/network/`` (the 12 curated nodes) and ``root/orders.csv``."""
    bundle = make_bundle(GeneratorParams.sample())
    root = Path(root)
    write_bundle(bundle, root / "network", root / "orders.csv")
    return bundle


def write_bundle(
    bundle: GeneratedBundle,
    network_dir: str | os.PathLike[str],
    orders_path: str | os.PathLike[str],
) -> None:
    """Write the bundle files into ``network_dir`` and the orders to ``orders_path``.

    Every file is complete before any is moved in: the network's files first, then the orders.
    """
    orders_file = Path(orders_path)
    # the outer writer moves its files in last: the orders after the network
    with folder_writer(orders_file.parent) as orders_scratch, folder_writer(network_dir) as scratch:
        for name, frame in _tables(bundle).items():
            frame.to_csv(scratch / name, index=False)
        (scratch / "policy.yaml").write_text(policy_yaml(bundle.policy), encoding="utf-8")
        bundle.orders.to_csv(orders_scratch / orders_file.name, index=False)


def _tables(bundle: GeneratedBundle) -> dict[str, pd.DataFrame]:
    """The CSV files of the bundle by name (contracts §1)."""
    return {
        "fcs.csv": bundle.fcs,
        "skus.csv": bundle.skus,
        "kits.csv": bundle.kits,
        "inventory.csv": bundle.inventory,
        "zones.csv": bundle.zones,
        "services.csv": bundle.services,
        "rates.csv": bundle.rates,
    }
