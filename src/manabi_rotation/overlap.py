"""Which origin-secret values the API's WebACL accepts while the secret rotates (GL-SEC-05).

CloudFront adds the secret to every API request as a header; the REGIONAL WebACL of the stage
lets only requests carrying an accepted value through. A change of CloudFront's header takes
minutes to reach every edge location, during which some edges send the old value and some the
new one. No request fails as long as the WebACL accepts every value an edge may still send:

1. `setSecret` first widens the WebACL to the old and the new value, and only then points
   CloudFront's header at the new one;
2. `testSecret` waits until the distribution is deployed everywhere with the new value;
3. `finishSecret` makes the new value current. The WebACL keeps the previous value until the
   next rotation narrows it — by then no edge has sent it for a whole rotation period.

`accepted_values` never drops the value CloudFront is configured to send, nor — while the
distribution is still deploying — any value accepted so far, so a rotation that failed half-way
(edges still sending a value that never became current) cannot lock the API out either.
"""

from __future__ import annotations

from collections.abc import Iterable


def accepted_values(
    *,
    sent: str | None,
    current: str,
    pending: str | None,
    in_flight: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The values the WebACL must accept before CloudFront is switched to `pending`: what
    CloudFront sends now, the current value, the pending one and — while the distribution is
    still deploying an earlier change — every value it accepts now (`in_flight`), each once."""
    return _unique((sent, current, pending, *in_flight))


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return tuple(seen)
