"""GL-SEC-05: the origin secret rotates without a failed request.

The rotation's four steps run against in-memory Secrets Manager, WebACL and a distribution
whose edge locations switch one by one (tests/fakes/origin_secret.py). After every step and
every propagation the invariant is checked: each edge sends a value the WebACL accepts — a
request through any edge passes. Hypothesis interleaves propagation, retried steps and
rotations that fail half-way.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from manabi_rotation.aws import statement_for, values_of
from manabi_rotation.overlap import accepted_values
from manabi_rotation.rotation import Rotation, RotationNotReady
from tests.fakes.origin_secret import FakeDistribution, FakeGuard, FakeSecrets

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")


class World:
    def __init__(self) -> None:
        self.secrets = FakeSecrets("secret-0")
        self.guard = FakeGuard("secret-0")
        self.distribution = FakeDistribution("secret-0")
        self.rotation = Rotation(
            self.secrets,
            self.guard,
            self.distribution,
            wait_seconds=300,
            poll_seconds=15,
            sleep=self._sleep,
        )
        self.propagate_while_waiting = 1

    def _sleep(self, _seconds: float) -> None:
        self.distribution.propagate(self.propagate_while_waiting)
        self.check()

    def check(self) -> None:
        for edge in self.distribution.edges:
            assert edge in self.guard.accepted(), (edge, self.guard.accepted())

    def step(self, step: str, token: str) -> None:
        self.rotation.run(step, token)
        self.check()


def test_gl_sec_05_a_rotation_keeps_every_edge_accepted() -> None:
    world = World()
    for step in STEPS:
        world.step(step, "v1")
    new = world.secrets.value("AWSCURRENT")
    assert new != "secret-0"
    assert world.distribution.sent() == new
    assert world.distribution.deployed()
    # The previous value stays accepted until the next rotation narrows the rule.
    assert world.guard.accepted() == ("secret-0", new)


def test_gl_sec_05_the_guard_widens_before_the_header_switches() -> None:
    world = World()
    order: list[str] = []
    accept, send = world.guard.accept, world.distribution.send
    world.guard.accept = lambda values: (order.append("waf"), accept(values))[1]  # type: ignore[method-assign]
    world.distribution.send = lambda value: (order.append("cloudfront"), send(value))[1]  # type: ignore[method-assign]
    world.step("createSecret", "v1")
    world.step("setSecret", "v1")
    assert order == ["waf", "cloudfront"]


def test_gl_sec_05_test_step_fails_until_the_distribution_is_deployed() -> None:
    world = World()
    world.propagate_while_waiting = 0  # CloudFront takes longer than the function may wait
    world.step("createSecret", "v1")
    world.step("setSecret", "v1")
    with pytest.raises(RotationNotReady):
        world.step("testSecret", "v1")
    assert world.secrets.version_of("AWSCURRENT") == "v0"  # not finished: old value current
    world.distribution.propagate(10)
    world.check()
    world.step("testSecret", "v1")  # Secrets Manager's retry
    world.step("finishSecret", "v1")
    assert world.secrets.version_of("AWSCURRENT") == "v1"


def test_gl_sec_05_steps_are_idempotent() -> None:
    world = World()
    for step in STEPS:
        world.step(step, "v1")
        world.step(step, "v1")
    assert world.guard.updates == 1
    assert world.secrets.version_of("AWSCURRENT") == "v1"


def test_gl_sec_05_the_next_rotation_drops_the_value_no_edge_sends() -> None:
    world = World()
    for token in ("v1", "v2"):
        for step in STEPS:
            world.step(step, token)
    assert world.guard.accepted() == (world.secrets.versions["v1"], world.secrets.versions["v2"])


def test_gl_sec_05_accepted_values_keep_what_cloudfront_sends() -> None:
    assert accepted_values(sent="a", current="b", pending="c") == ("a", "b", "c")
    assert accepted_values(sent="b", current="b", pending="c") == ("b", "c")
    assert accepted_values(sent=None, current="b", pending=None) == ("b",)
    # While an earlier switch is still deploying, nothing accepted so far is dropped.
    assert accepted_values(sent="c", current="b", pending="d", in_flight=("a", "c")) == (
        "c",
        "b",
        "d",
        "a",
    )


def test_gl_sec_05_waf_statement_round_trips() -> None:
    one = statement_for("x-manabi-origin-secret", ("a",))
    assert "ByteMatchStatement" in one
    assert values_of(one) == ("a",)
    two = statement_for("x-manabi-origin-secret", ("a", "b"))
    assert len(two["OrStatement"]["Statements"]) == 2
    assert values_of(two) == ("a", "b")


# Per rotation: how many edges switch after each step, whether a step is retried, and whether
# the rotation stops before finishSecret (and the next one starts with a new token).
rotation_plans = st.lists(
    st.tuples(
        st.lists(st.integers(0, 5), min_size=4, max_size=4),
        st.lists(st.booleans(), min_size=4, max_size=4),
        st.integers(2, 4),  # steps run: 2 = stops after setSecret, 4 = completes
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(plans=rotation_plans, waiting=st.integers(0, 2))
def test_gl_sec_05_no_interleaving_fails_a_request(
    plans: list[tuple[list[int], list[bool], int]], waiting: int
) -> None:
    world = World()
    world.propagate_while_waiting = waiting
    for number, (propagation, retries, steps_run) in enumerate(plans, start=1):
        token = f"v{number}"
        for step, edges, retry in zip(STEPS[:steps_run], propagation, retries, strict=False):
            done = False
            for _attempt in range(2 if retry else 1):
                try:
                    world.step(step, token)
                    done = True
                except RotationNotReady:
                    pass  # retried; meanwhile requests must still pass
            world.distribution.propagate(edges)
            world.check()
            if not done:
                break  # Secrets Manager stops this rotation; the next one starts afresh
