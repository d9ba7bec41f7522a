"""Fault injection: which calls a sandbox answers with an error, drops, slows down or expires.

A plan is a list of rules read from a compact text form (the CLI's `--faults`) or built in code. Every
random choice comes from a generator seeded by (seed, rule position), so a plan with the same seed fires
on the same calls for the same sequence of requests.

Text form — clauses separated by `;`, each `KIND[@key=value,key=value...]`; a value may be a list,
written `a|b` or, after `=`, `a,b` (a comma piece without `=` continues the previous key):

    429@rate=0.05,retry_after=1;503@calls=3,7;drop@label=query,calls=2;expire@after=50;lock@ids=006000000000001

Kinds (one rule each):
    429      rate limited (burst policy). `retry_after=S` sends Retry-After: S; without it, no header.
    daily    daily allocation spent (HubSpot 429 policyName DAILY; Salesforce 403 REQUEST_LIMIT_EXCEEDED).
    500      internal server error.          503   service unavailable.
    drop     the connection is closed without any response.
    slow     answer normally after `delay=S` seconds (default 1); combines with another fault.
    expire   `after=N[,M]`: once the Nth matching call has been served, every access token is invalidated.
    lock     `ids=ID[,ID]`: writes to these records fail with the CRM's row-lock error.
    reject   `ids=ID[,ID]`: writes to these records fail with a per-record validation error.
Selectors for 429 / daily / 500 / 503 / drop / slow (exactly one of rate or calls):
    rate=P       each matching call with probability P (0 < P ≤ 1).
    calls=N,M    the Nth and Mth matching call (1-based, counted from the start or the last reset()).
    label=L|L2   only calls with these endpoint labels (and the counts are per rule, over those labels).
`lock` and `reject` take `times=N`: fail the first N writes to each record, then succeed (default: always).
Public endpoints (the OAuth token endpoint) are never faulted unless a rule names their label.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

REQUEST_KINDS = ("429", "daily", "500", "503", "drop", "slow")
TERMINAL_KINDS = ("429", "daily", "500", "503", "drop")  # those that replace the response
RECORD_KINDS = ("lock", "reject")
ALL_KINDS = REQUEST_KINDS + ("expire",) + RECORD_KINDS

# Which keys each kind accepts; the first group are selectors.
_KEYS: dict[str, set[str]] = {
    **{kind: {"rate", "calls", "label"} for kind in REQUEST_KINDS},
    "expire": {"after", "label"},
    "lock": {"ids", "times"},
    "reject": {"ids", "times"},
}
_KEYS["429"] |= {"retry_after"}
_KEYS["slow"] |= {"delay"}


class FaultSpecError(ValueError):
    """A `--faults` text that cannot be read; the message names the clause and the key at fault."""


@dataclass(frozen=True)
class FaultRule:
    """One rule. Build in code or read with FaultPlan.parse; see the module docstring for meanings."""

    kind: str
    rate: float | None = None
    calls: frozenset[int] = frozenset()
    labels: frozenset[str] = frozenset()  # empty: every non-public label
    retry_after: float | None = None
    delay: float = 1.0
    after: frozenset[int] = frozenset()
    ids: frozenset[str] = frozenset()
    times: int | None = None

    def __post_init__(self) -> None:
        _validate(self)

    def matches(self, label: str, public: bool) -> bool:
        if self.labels:
            return label in self.labels
        return not public


@dataclass(frozen=True)
class RequestFaults:
    """What the runtime must do to one request. `action` is the terminal fault, if any."""

    action: FaultRule | None = None
    delay: float = 0.0
    expire: bool = False


@dataclass(frozen=True)
class RecordFault:
    kind: str  # "lock" or "reject"
    record_id: str


@dataclass(frozen=True)
class FiredFault:
    kind: str
    label: str
    call_number: int  # the call's number among the rule's matching calls


@dataclass
class _RuleState:
    rule: FaultRule
    rng: random.Random
    seen: int = 0
    record_hits: dict[str, int] = field(default_factory=dict)


class FaultPlan:
    """The faults of one sandbox instance. Thread-safe: requests arrive on the server thread(s)."""

    def __init__(self, rules: list[FaultRule] | tuple[FaultRule, ...] = (), seed: int = 0) -> None:
        self.rules = tuple(rules)
        self.seed = seed
        self._lock = threading.Lock()
        self._fired: list[FiredFault] = []
        self._states = self._fresh_states()

    def _fresh_states(self) -> list[_RuleState]:
        # One generator per rule, seeded by its position: adding a rule does not move another rule's draws.
        return [_RuleState(rule, random.Random(f"{self.seed}:{index}:{rule.kind}"))
                for index, rule in enumerate(self.rules)]

    @classmethod
    def parse(cls, spec: str | None, seed: int = 0) -> FaultPlan:
        """Read the text form; an empty or None spec is a plan without faults."""
        clauses = [clause.strip() for clause in (spec or "").split(";") if clause.strip()]
        return cls([_parse_clause(clause) for clause in clauses], seed=seed)

    def on_request(self, label: str, public: bool) -> RequestFaults:
        """Count this request against every rule and say which faults fire on it."""
        action: FaultRule | None = None
        delay, expire = 0.0, False
        with self._lock:
            for state in self._states:
                rule = state.rule
                if rule.kind in RECORD_KINDS or not rule.matches(label, public):
                    continue
                state.seen += 1
                if rule.kind == "expire":
                    # "after=N": the Nth call was served with the old token; the next one finds it gone.
                    fire = (state.seen - 1) in rule.after
                elif rule.rate is not None:
                    fire = state.rng.random() < rule.rate
                else:
                    fire = state.seen in rule.calls
                if not fire:
                    continue
                if rule.kind == "expire":
                    expire = True
                elif rule.kind == "slow":
                    delay += rule.delay
                elif action is None:
                    action = rule
                else:
                    continue  # a second terminal fault on the same call has no effect: not recorded
                self._fired.append(FiredFault(rule.kind, label, state.seen))
        return RequestFaults(action, delay, expire)

    def record_fault(self, record_id: str) -> RecordFault | None:
        """Ask before writing a record: a fault the CRM app must answer for that record, or None."""
        with self._lock:
            for state in self._states:
                rule = state.rule
                if rule.kind not in RECORD_KINDS or record_id not in rule.ids:
                    continue
                hits = state.record_hits.get(record_id, 0)
                if rule.times is not None and hits >= rule.times:
                    continue
                state.record_hits[record_id] = hits + 1
                self._fired.append(FiredFault(rule.kind, record_id, hits + 1))
                return RecordFault(rule.kind, record_id)
        return None

    def fired(self) -> list[FiredFault]:
        """Faults fired so far, in order (record faults carry the record id as their label)."""
        with self._lock:
            return list(self._fired)

    def reset(self) -> None:
        """Start counting again from call 1 with fresh random generators (same seed)."""
        with self._lock:
            self._fired.clear()
            self._states = self._fresh_states()

    def __bool__(self) -> bool:
        return bool(self.rules)


def _split_params(clause: str, body: str) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    last: str | None = None
    for piece in (p.strip() for p in body.split(",")):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        if sep:
            last = key.strip()
            if last in params:
                raise FaultSpecError(f"fault clause {clause!r}: key {last!r} given twice")
            params[last] = [v.strip() for v in value.split("|")]
        elif last is None:
            raise FaultSpecError(f"fault clause {clause!r}: {piece!r} is not key=value")
        else:
            params[last].extend(v.strip() for v in piece.split("|"))
    return params


def _number(clause: str, key: str, raw: str, kind: type[int] | type[float]) -> float:
    try:
        value = kind(raw)
    except ValueError:
        raise FaultSpecError(f"fault clause {clause!r}: {key}={raw!r} is not a number") from None
    if value < 0 or (kind is int and value < 1 and key != "after"):
        raise FaultSpecError(f"fault clause {clause!r}: {key}={raw!r} is out of range")
    return value


def _parse_clause(clause: str) -> FaultRule:
    kind, _, body = clause.partition("@")
    kind = kind.strip().lower()
    if kind not in ALL_KINDS:
        raise FaultSpecError(f"fault clause {clause!r}: unknown kind {kind!r} (known: {', '.join(ALL_KINDS)})")
    params = _split_params(clause, body)
    unknown = sorted(set(params) - _KEYS[kind])
    if unknown:
        raise FaultSpecError(f"fault clause {clause!r}: {kind} takes no {', '.join(unknown)} "
                             f"(it takes: {', '.join(sorted(_KEYS[kind]))})")

    def single(key: str) -> str | None:
        values = params.get(key)
        if values is not None and len(values) != 1:
            raise FaultSpecError(f"fault clause {clause!r}: {key} takes one value")
        return values[0] if values else None

    def numbers(key: str) -> frozenset[int]:
        return frozenset(int(_number(clause, key, v, int)) for v in params.get(key, []))

    rate, retry_after, delay, times = single("rate"), single("retry_after"), single("delay"), single("times")
    try:
        return FaultRule(
            kind=kind,
            rate=None if rate is None else _number(clause, "rate", rate, float),
            calls=numbers("calls"),
            labels=frozenset(params.get("label", [])),
            retry_after=None if retry_after is None else _number(clause, "retry_after", retry_after, float),
            delay=1.0 if delay is None else _number(clause, "delay", delay, float),
            after=numbers("after"),
            ids=frozenset(params.get("ids", [])),
            times=None if times is None else int(_number(clause, "times", times, int)),
        )
    except FaultSpecError:
        raise
    except ValueError as error:
        raise FaultSpecError(f"fault clause {clause!r}: {error}") from None


def _validate(rule: FaultRule) -> None:
    """Checks shared by parsed and hand-built rules; raise ValueError with what is wrong."""
    kind = rule.kind
    if kind not in ALL_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}")
    if kind in REQUEST_KINDS:
        if (rule.rate is None) == (not rule.calls):
            raise ValueError(f"{kind} needs exactly one of rate=P or calls=N")
        if rule.rate is not None and not 0 < rule.rate <= 1:
            raise ValueError(f"rate must be in (0, 1], got {rule.rate}")
    if kind == "expire" and not rule.after:
        raise ValueError("expire needs after=N (the number of calls served before every token expires)")
    if kind in RECORD_KINDS and not rule.ids:
        raise ValueError(f"{kind} needs ids=ID[|ID...] (the records whose writes fail)")
    if any(number < 1 for number in rule.calls) or any(number < 0 for number in rule.after):
        raise ValueError("call numbers start at 1")
