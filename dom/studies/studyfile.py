"""Reading study files (contracts §9): YAML (or JSON) checked key by key into a
:class:`~dom.studies.spec.Study`.

Every key is checked before any work: an unknown key, a negative multiplier, an unknown node,
service, zone, mode or sweep parameter, a missing file, each raises
:class:`~dom.studies.spec.InvalidStudy` naming the key as a dotted path
(``scenarios.close-atl.nodes.FC-AT``) and the fix. Node ids, services and zones are checked
against the base network, loaded for that. docs/studies.md lists every key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from dom.errors import closest, shown
from dom.io import load_network
from dom.model import MAX_PROMISED_DAYS, Network
from dom.studies.spec import (
    BASE,
    DEFAULT_MODES,
    MAX_DAYS,
    MAX_MULTIPLIER,
    MAX_SEEDS,
    MODES,
    NAME_PATTERN,
    POLICY_KEYS,
    REFERENCE,
    SWEEP_PARAMETERS,
    BatchSpec,
    DemandSpec,
    InvalidStudy,
    NodeEdit,
    PricingSpec,
    RateEdit,
    Scenario,
    StockMove,
    Study,
    Sweep,
)


class _Key:
    """A value read from the study file and the dotted path naming it in errors."""

    def __init__(self, value: Any, path: str, file: str | None) -> None:
        self.value = value
        self.path = path
        self.file = file

    def fail(self, message: str, fix: str) -> InvalidStudy:
        return InvalidStudy(message, file=self.file, column=self.path or None, fix=fix)

    def child(self, key: str, value: Any) -> _Key:
        return _Key(value, f"{self.path}.{key}" if self.path else key, self.file)

    def mapping(self, allowed: Sequence[str] | None = None, what: str = "") -> dict[str, _Key]:
        """The keys of a mapping (null: none); with ``allowed``, an unknown key fails."""
        if self.value is None:
            return {}
        if not isinstance(self.value, Mapping):
            raise self.fail(
                f"must be a mapping, not {shown(self.value)}",
                f"write {what or 'key: value pairs'} under it",
            )
        out = {}
        for key, value in self.value.items():
            name = str(key)
            if allowed is not None and name not in allowed:
                guess = closest(name, allowed)
                hint = f"did you mean '{guess}'? " if guess else ""
                raise self.child(name, value).fail(
                    f"unknown key '{name}'", hint + f"the keys here are {', '.join(allowed)}"
                )
            out[name] = self.child(name, value)
        return out

    def items(self, what: str) -> list[_Key]:
        """A list (a single mapping counts as a list of one)."""
        if isinstance(self.value, Mapping):
            return [self]
        if not isinstance(self.value, list) or not self.value:
            raise self.fail(f"must be a non-empty list, not {shown(self.value)}", f"give {what}")
        return [self.child(str(i), v) for i, v in enumerate(self.value)]

    def number(self, low: float, high: float, *, whole: bool = False, what: str = "") -> float:
        v = self.value
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        if ok and whole:
            ok = float(v).is_integer()
        if not ok or not low <= v <= high:
            kind = "a whole number" if whole else "a number"
            raise self.fail(f"is {shown(v)}", f"give {what or kind} from {low:g} to {high:g}")
        return int(v) if whole else float(v)

    def multiplier(self, *, zero_ok: bool) -> float:
        v = self.value
        if isinstance(v, int | float) and not isinstance(v, bool) and v < 0:
            raise self.fail(
                f"is {shown(v)}: a multiplier cannot be negative", "give 0 or more (1.1 is +10%)"
            )
        low = 0.0 if zero_ok else 1e-9
        return self.number(low, MAX_MULTIPLIER, what="a multiplier (1.1 is +10%)")

    def flag(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail(f"is {shown(self.value)}", "write true or false")
        return self.value

    def text(self, choices: Sequence[str] | None = None, what: str = "a name") -> str:
        v = self.value
        if not isinstance(v, str | int) or isinstance(v, bool) or not str(v).strip():
            raise self.fail(f"is {shown(v)}", f"give {what}")
        text = str(v).strip()
        if choices is not None and text not in choices:
            guess = closest(text, choices)
            hint = f"did you mean '{guess}'? " if guess else ""
            raise self.fail(f"'{text}' is not {what}", hint + f"use one of {', '.join(choices)}")
        return text

    def path_of(self, base: Path, what: str) -> Path:
        """A file or folder named relative to the study file; it must exist."""
        text = self.text(what=f"the path of {what}")
        path = (base / text).resolve()
        if not path.exists():
            raise self.fail(
                f"{what} '{text}' does not exist (looked for {path})",
                "paths are relative to the study file's folder",
            )
        return path


_TOP_KEYS = (
    "name", "network", "orders", "demand", "days", "seeds", "replenishment", "modes", "batch",
    "pricing", "work_limit", "scenarios", "sweep",
)  # fmt: skip


def load_study(path: str | Path) -> tuple[Study, Network]:
    """Read and check a study file; returns it and its base network."""
    path = Path(path)
    if not path.is_file():
        raise InvalidStudy("file not found", file=str(path), fix="give the path of a study YAML")
    doc = read_study_document(path.read_text(encoding="utf-8"), str(path))
    return parse_study(doc, path.parent, file=str(path))


def parse_study(
    doc: Any, base_dir: Path, *, file: str | None = None, network: Network | None = None
) -> tuple[Study, Network]:
    """Check a parsed study document; relative paths start at ``base_dir``. The base network is
    the one its ``network`` key names, or ``network`` (the service's own: the key must then be
    absent)."""
    top = _Key(doc, "", file)
    keys = top.mapping(_TOP_KEYS, "the study's keys (name, network, demand, scenarios, ...)")
    if network is None:
        if "network" not in keys:
            raise top.fail("the study has no 'network'", "add network: <folder of the bundle>")
        network = load_network(keys["network"].path_of(base_dir, "the network bundle"))
    elif "network" in keys:
        raise keys["network"].fail(
            "a study sent to the service runs on the service's network", "remove 'network'"
        )
    name = keys["name"].text(what="a study name") if "name" in keys else "study"
    orders = keys["orders"].path_of(base_dir, "the orders file") if "orders" in keys else None
    demand = _demand(keys["demand"]) if "demand" in keys else None
    if orders is None and demand is None:
        raise top.fail(
            "the study has neither 'orders' nor 'demand'",
            "add orders: <orders.csv> or demand: {orders_per_day: 4000}",
        )
    days = int(keys["days"].number(1, MAX_DAYS, whole=True)) if "days" in keys else 1
    seeds = _seeds(keys["seeds"]) if "seeds" in keys else (1,)
    lead = None
    if "replenishment" in keys:
        rep = keys["replenishment"].mapping(("lead_days",), "lead_days: 2")
        if "lead_days" not in rep:
            raise keys["replenishment"].fail("'lead_days' is missing", "write lead_days: 2")
        lead = int(rep["lead_days"].number(1, MAX_DAYS, whole=True, what="whole days, 1 or more"))
    modes = _modes(keys["modes"]) if "modes" in keys else DEFAULT_MODES
    batch = _batch(keys["batch"], BatchSpec()) if "batch" in keys else BatchSpec()
    pricing = _pricing(keys["pricing"], PricingSpec()) if "pricing" in keys else PricingSpec()
    work_limit = 2_000_000
    if "work_limit" in keys:
        work_limit = int(keys["work_limit"].number(1, 10**12, whole=True))
    raw = (
        keys["scenarios"].mapping(what="scenario names, each with its edits")
        if "scenarios" in keys
        else {}
    )
    scenarios = [_scenario(name, key, network, batch, pricing) for name, key in raw.items()]
    if BASE not in raw:
        scenarios.insert(0, Scenario(BASE))
    scenarios.sort(key=lambda s: s.name != BASE)  # base first, the rest as written
    study = Study(
        name=name,
        network=network.source.resolve() if network.source else base_dir,
        orders=orders,
        demand=demand,
        days=days,
        seeds=seeds,
        lead_days=lead,
        modes=modes,
        batch=batch,
        pricing=pricing,
        work_limit=work_limit,
        scenarios=tuple(scenarios),
        source=Path(file).resolve() if file else None,
    )
    if "sweep" in keys:
        study = replace(study, sweep=_sweep(keys["sweep"], study))
    return study, network


def _demand(key: _Key) -> DemandSpec:
    keys = key.mapping(("orders_per_day", "seed"), "orders_per_day: 4000")
    if "orders_per_day" not in keys:
        raise key.fail("'orders_per_day' is missing", "write orders_per_day: 4000")
    per_day = int(keys["orders_per_day"].number(1, 10_000_000, whole=True))
    seed = int(keys["seed"].number(0, 2**32 - 1, whole=True)) if "seed" in keys else 0
    return DemandSpec(per_day, seed)


def _seeds(key: _Key) -> tuple[int, ...]:
    if isinstance(key.value, int) and not isinstance(key.value, bool):
        count = int(key.number(1, MAX_SEEDS, whole=True, what="a count of seeds"))
        return tuple(range(1, count + 1))
    seeds = [int(k.number(0, 2**32 - 1, whole=True)) for k in key.items("seeds like [1, 2, 3]")]
    if len(set(seeds)) != len(seeds):
        raise key.fail("repeats a seed", "list each seed once")
    return tuple(seeds)


def _modes(key: _Key) -> tuple[str, ...]:
    modes = [k.text(MODES, what="a mode") for k in key.items("modes like [online, batch]")]
    if len(set(modes)) != len(modes):
        raise key.fail("repeats a mode", "list each mode once")
    return (*(m for m in MODES if m in modes and m != REFERENCE), REFERENCE)


def _batch(key: _Key, default: BatchSpec) -> BatchSpec:
    keys = key.mapping(("wave_hours", "bid_prices"), "wave_hours: 4")
    hours = keys["wave_hours"].number(0.01, 24) if "wave_hours" in keys else default.wave_hours
    bid = keys["bid_prices"].flag() if "bid_prices" in keys else default.bid_prices
    return BatchSpec(hours, bid)


def _pricing(key: _Key, default: PricingSpec) -> PricingSpec:
    keys = key.mapping(("resolves_per_day", "forecasts", "passes"), "resolves_per_day: 12")

    def whole(name: str, low: int, high: int, fallback: int) -> int:
        return int(keys[name].number(low, high, whole=True)) if name in keys else fallback

    return PricingSpec(
        resolves_per_day=whole("resolves_per_day", 1, 1440, default.resolves_per_day),
        forecasts=whole("forecasts", 1, 256, default.forecasts),
        passes=whole("passes", 1, 10_000, default.passes),
    )


_SCENARIO_KEYS = ("nodes", "inventory", "rates", "demand", "promise", "policy", "batch", "pricing")
_NODE_KEYS = ("enabled", "capacity", "capacity_multiply", "handling_cost", "processing_days")


def _node_id(key: _Key, name: str, network: Network, star: bool = True) -> str:
    if (star and name == "*") or name in network.node_index:
        return name
    guess = closest(name, network.node_ids.astype(str))
    hint = f"did you mean '{guess}'? " if guess else ""
    raise key.fail(
        f"unknown node '{name}'",
        hint + "use a fc_id of the network's fcs.csv" + (" or * for every node" if star else ""),
    )


def _scenario(
    name: str, key: _Key, network: Network, batch: BatchSpec, pricing: PricingSpec
) -> Scenario:
    if not NAME_PATTERN.match(name):
        raise key.fail(
            f"'{name}' is not a usable scenario name",
            "use letters, digits, '.', '_' and '-' (it names folders), at most 64",
        )
    keys = key.mapping(_SCENARIO_KEYS, "edits such as nodes: {FC-ATL: {enabled: false}}")
    out = Scenario(name)
    if "nodes" in keys:
        nodes = {}
        for node, edit in keys["nodes"].mapping(what="node ids, each with its changes").items():
            nodes[_node_id(edit, node, network)] = _node_edit(edit)
        out = replace(out, nodes=nodes)
    if "inventory" in keys:
        multiply: dict[str, float] = {}
        moves: list[StockMove] = []
        for node, edit in (
            keys["inventory"].mapping(what="node ids with {multiply}, or move").items()
        ):
            if node == "move":
                moves += [_move(k, network) for k in edit.items("moves {from, to, share}")]
                continue
            fields = edit.mapping(("multiply",), "multiply: 1.2")
            if "multiply" not in fields:
                raise edit.fail("'multiply' is missing", "write multiply: 1.2")
            multiply[_node_id(edit, node, network)] = fields["multiply"].multiplier(zero_ok=True)
        out = replace(out, inventory=multiply, moves=tuple(moves))
    if "rates" in keys:
        out = replace(
            out, rates=tuple(_rate(k, network) for k in keys["rates"].items("rate edits"))
        )
    if "demand" in keys:
        fields = keys["demand"].mapping(("multiply",), "multiply: 1.5")
        if "multiply" in fields:
            out = replace(out, demand_multiply=fields["multiply"].multiplier(zero_ok=False))
    if "promise" in keys:
        fields = keys["promise"].mapping(("promised_days", "at_most"), "promised_days: 2")
        days = {
            k: int(v.number(0, MAX_PROMISED_DAYS, whole=True, what="whole days"))
            for k, v in fields.items()
        }
        out = replace(
            out, promised_days=days.get("promised_days"), promised_at_most=days.get("at_most")
        )
    if "policy" in keys:
        policy: dict[str, float | int | None] = {}
        for field_name, value in keys["policy"].mapping(POLICY_KEYS, "penalties").items():
            if field_name == "max_shipments_per_order":
                policy[field_name] = (
                    None if value.value is None else int(value.number(1, 1000, whole=True))
                )
            else:
                policy[field_name] = value.number(0, 1e9)
        out = replace(out, policy=policy)
    if "batch" in keys:
        out = replace(out, batch=_batch(keys["batch"], batch))
    if "pricing" in keys:
        out = replace(out, pricing=_pricing(keys["pricing"], pricing))
    return out


def _node_edit(key: _Key) -> NodeEdit:
    keys = key.mapping(_NODE_KEYS, "enabled, capacity, capacity_multiply, ...")
    edit = NodeEdit()
    if "enabled" in keys:
        edit = replace(edit, enabled=keys["enabled"].flag())
    if "capacity" in keys:
        cap = keys["capacity"]
        value = (
            math.inf
            if cap.value is None
            else cap.number(0, 10**12, whole=True, what="units a day (null: unlimited)")
        )
        edit = replace(edit, capacity=float(value))
    if "capacity_multiply" in keys:
        edit = replace(edit, capacity_multiply=keys["capacity_multiply"].multiplier(zero_ok=True))
    if "handling_cost" in keys:
        edit = replace(edit, handling_cost=keys["handling_cost"].number(0, 1e9))
    if "processing_days" in keys:
        edit = replace(
            edit, processing_days=int(keys["processing_days"].number(0, 365, whole=True))
        )
    return edit


def _move(key: _Key, network: Network) -> StockMove:
    keys = key.mapping(("from", "to", "share", "skus"), "from: FC-ATL, to: FC-DFW, share: 0.5")
    for need in ("from", "to"):
        if need not in keys:
            raise key.fail(f"'{need}' is missing", "write {from: FC-ATL, to: FC-DFW, share: 0.5}")
    source = _node_id(keys["from"], keys["from"].text(what="a node id"), network, star=False)
    target = _node_id(keys["to"], keys["to"].text(what="a node id"), network, star=False)
    if source == target:
        raise key.fail(f"moves stock from {source} to itself", "give two different nodes")
    share = keys["share"].number(0, 1, what="a share from 0 to 1") if "share" in keys else 1.0
    skus = None
    if "skus" in keys:
        skus = tuple(
            k.text(
                network.sku_ids.astype(str).tolist() if network.num_skus <= 50_000 else None,
                what="a SKU of skus.csv",
            )
            for k in keys["skus"].items("SKU ids")
        )
        unknown = [s for s in skus if s not in network.sku_index]
        if unknown:
            raise keys["skus"].fail(f"unknown SKU '{unknown[0]}'", "use SKUs of skus.csv")
    return StockMove(source, target, share, skus)


def _rate(key: _Key, network: Network) -> RateEdit:
    keys = key.mapping(("service", "zone", "multiply"), "service: GROUND, multiply: 1.1")
    if "multiply" not in keys:
        raise key.fail("'multiply' is missing", "write multiply: 1.1 (+10%)")
    services = network.service_names.astype(str).tolist()
    service = (
        keys["service"].text(services, what="a service of services.csv")
        if "service" in keys
        else None
    )
    zone = None
    if "zone" in keys:
        zones = [int(z) for z in network.zone_ids]
        zone = int(
            keys["zone"].number(min(zones), max(zones), whole=True, what="a zone of zones.csv")
        )
        if zone not in zones:
            raise keys["zone"].fail(f"zone {zone} is not in zones.csv", f"use one of {zones}")
    return RateEdit(keys["multiply"].multiplier(zero_ok=False), service, zone)


def _sweep(key: _Key, study: Study) -> Sweep:
    keys = key.mapping(
        ("scenario", "mode", "parameter", "values"), "scenario, mode, parameter, values"
    )
    for need in ("parameter", "values"):
        if need not in keys:
            raise key.fail(
                f"'{need}' is missing",
                "write parameter: policy.late_penalty_per_day, values: [0, 2, 5]",
            )
    names = [s.name for s in study.scenarios]
    scenario = (
        keys["scenario"].text(names, what="a scenario of this study")
        if "scenario" in keys
        else BASE
    )
    mode = keys["mode"].text(MODES, what="a mode") if "mode" in keys else REFERENCE
    parameter = keys["parameter"].text(SWEEP_PARAMETERS, what="a sweep parameter")
    if parameter.startswith("batch.") and mode not in ("batch", "batch_bid"):
        raise keys["parameter"].fail(
            f"{parameter} has no effect in mode {mode}", "sweep it in mode batch or batch_bid"
        )
    if parameter.startswith("pricing.") and mode not in ("online_bid", "batch_bid"):
        raise keys["parameter"].fail(
            f"{parameter} has no effect in mode {mode}", "sweep it in mode online_bid or batch_bid"
        )
    values = []
    for item in keys["values"].items("values like [0, 2, 5, 10]"):
        if parameter.endswith("multiply"):
            values.append(item.multiplier(zero_ok=not parameter.startswith(("demand", "rates"))))
        elif parameter in ("policy.max_shipments_per_order", "pricing.resolves_per_day"):
            values.append(float(item.number(1, 1440, whole=True)))
        elif parameter == "promise.promised_days":
            values.append(float(item.number(0, MAX_PROMISED_DAYS, whole=True)))
        elif parameter == "batch.wave_hours":
            values.append(item.number(0.01, 24))
        else:
            values.append(item.number(0, 1e9))
    if len(set(values)) != len(values):
        raise keys["values"].fail("repeats a value", "list each value once")
    return Sweep(scenario, mode, parameter, tuple(values))


def read_study_document(text: str, file: str | None = None) -> Any:
    """The YAML (or JSON, which is YAML) of a study; bad syntax names the line. Anchors and
    aliases are refused (a few lines of them can expand without end), and so is nesting deeper
    than any study needs."""
    try:
        if any(isinstance(token, yaml.AliasToken) for token in yaml.scan(text)):
            raise InvalidStudy(
                "uses a YAML alias (*name)", file=file, fix="write each value out in full"
            )
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidStudy(
            f"not valid YAML{where}: {getattr(exc, 'problem', exc)}",
            file=file,
            fix="write the study as YAML (key: value, nested by indentation) or JSON",
        ) from exc
    except RecursionError:
        raise InvalidStudy(
            "is nested too deep", file=file, fix="a study nests a few levels at most"
        ) from None
