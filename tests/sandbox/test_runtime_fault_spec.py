"""The fault spec text form: parsing, validation messages, determinism by seed."""

from __future__ import annotations

import pytest

from sandbox.faults import FaultPlan, FaultRule, FaultSpecError


def test_parse_the_documented_example() -> None:
    plan = FaultPlan.parse("429@rate=0.05,retry_after=1;503@calls=3,7;drop@label=query,calls=2;"
                           "expire@after=50;lock@ids=006000000000001|006000000000002")
    kinds = [rule.kind for rule in plan.rules]
    assert kinds == ["429", "503", "drop", "expire", "lock"]
    assert plan.rules[0].rate == 0.05 and plan.rules[0].retry_after == 1
    assert plan.rules[1].calls == {3, 7}
    assert plan.rules[2].labels == {"query"} and plan.rules[2].calls == {2}
    assert plan.rules[3].after == {50}
    assert plan.rules[4].ids == {"006000000000001", "006000000000002"}


@pytest.mark.parametrize(("spec", "needle"), [
    ("bogus@calls=1", "unknown kind 'bogus'"),
    ("503", "exactly one of rate=P or calls=N"),
    ("503@rate=0.1,calls=2", "exactly one of rate=P or calls=N"),
    ("503@rate=1.5", "rate must be in"),
    ("503@calls=x", "calls='x' is not a number"),
    ("503@calls=0", "out of range"),
    ("503@calls=1,retry_after=2", "503 takes no retry_after"),
    ("expire@label=query", "expire needs after=N"),
    ("lock@times=2", "lock needs ids="),
    ("429@calls=1,calls=2", "given twice"),
    ("slow@delay", "not key=value"),
])
def test_bad_specs_say_what_is_wrong(spec: str, needle: str) -> None:
    with pytest.raises(FaultSpecError, match=needle) as caught:
        FaultPlan.parse(spec)
    assert spec.split(";")[0] in str(caught.value)  # the clause is quoted back


def test_random_faults_repeat_with_the_seed() -> None:
    def fired(seed: int) -> list[int]:
        plan = FaultPlan.parse("500@rate=0.3", seed=seed)
        return [n for n in range(1, 201) if plan.on_request("query", public=False).action is not None]

    assert fired(7) == fired(7)
    assert fired(7) != fired(8)
    # 200 draws at p = 0.3: expect 60; ±30 is over four standard deviations (sd ≈ 6.5).
    assert 30 < len(fired(7)) < 90


def test_expire_fires_once_after_n_calls() -> None:
    plan = FaultPlan([FaultRule("expire", after=frozenset({3}))])
    expiring = [n for n in range(1, 8) if plan.on_request("query", public=False).expire]
    assert expiring == [4]  # calls 1..3 served with the old token; the 4th finds it gone


def test_labelled_rule_reaches_a_public_endpoint_and_unlabelled_does_not() -> None:
    plan = FaultPlan.parse("503@rate=1;500@label=oauth_token,calls=1")
    assert plan.on_request("oauth_token", public=True).action.kind == "500"
    assert plan.on_request("oauth_token", public=True).action is None
    assert plan.on_request("query", public=False).action.kind == "503"


def test_slow_combines_with_a_terminal_fault_and_fired_log() -> None:
    plan = FaultPlan.parse("slow@calls=1,delay=0.5;503@calls=1")
    faults = plan.on_request("query", public=False)
    assert (faults.delay, faults.action.kind) == (0.5, "503")
    assert [(f.kind, f.call_number) for f in plan.fired()] == [("slow", 1), ("503", 1)]
    plan.reset()
    assert plan.fired() == [] and plan.on_request("query", public=False).action.kind == "503"
