"""One DynamoDB transaction whose failed parts are known by name.

PynamoDB's ``TransactWrite`` sends condition checks, deletes, puts and updates
in that order; DynamoDB answers a canceled transaction with one reason per part
in the same order. Naming each part lets a service turn "condition 7 failed"
into ``NoVacancyLeft`` or ``DeduplicationConflict``.
"""

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from ..exceptions import StorageUnavailable
from .connection import connection
from .errors import describe

_ORDER = ("check", "delete", "put", "update")


@dataclass
class TransactionFailed(Exception):
    """The transaction was canceled: ``failed`` names the parts whose condition failed."""

    failed: set[str] = field(default_factory=set)
    conflict: bool = False

    def __str__(self):
        return f"transaction canceled: failed={sorted(self.failed)} conflict={self.conflict}"


class Transaction:
    """Collect the writes of one business change, then commit them at once."""

    def __init__(self, *, client_request_token: str | None = None):
        self._token = client_request_token
        self._parts: list[tuple[str, str, object]] = []

    def __len__(self) -> int:
        return len(self._parts)

    def put(self, item, *, condition=None, name: str = "") -> None:
        self._parts.append(("put", name, lambda tx: tx.save(item, condition=condition)))

    def delete(self, item, *, condition=None, name: str = "") -> None:
        self._parts.append(("delete", name, lambda tx: tx.delete(item, condition=condition)))

    def update(self, item, actions, *, condition=None, name: str = "") -> None:
        self._parts.append(("update", name, lambda tx: tx.update(item, actions, condition=condition)))

    def check(self, model_cls, hash_key, range_key, *, condition, name: str = "") -> None:
        self._parts.append(
            ("check", name, lambda tx: tx.condition_check(model_cls, hash_key, range_key, condition=condition))
        )

    def commit(self) -> None:
        """Write every part or none; raise ``TransactionFailed`` or ``StorageUnavailable``."""
        try:
            # Nothing reads the consumed capacity PynamoDB would ask for; DynamoDB Local spends ~13% of a
            # transaction computing it.
            with TransactWrite(
                connection=connection(), client_request_token=self._token, return_consumed_capacity="NONE"
            ) as tx:
                for _kind, _name, apply in self._parts:
                    apply(tx)
        except TransactWriteError as error:
            reasons = error.cancellation_reasons
            if not reasons:
                raise StorageUnavailable(describe(error)) from error
            names = [name for kind in _ORDER for k, name, _ in self._parts if k == kind]
            failed = {
                names[i] for i, reason in enumerate(reasons) if reason and reason.code == "ConditionalCheckFailed"
            }
            conflict = any(reason and reason.code == "TransactionConflict" for reason in reasons)
            if not failed and not conflict:
                codes = ", ".join(sorted({reason.code for reason in reasons if reason and reason.code != "None"}))
                raise StorageUnavailable(codes or describe(error)) from error
            raise TransactionFailed(failed=failed, conflict=conflict) from error
        except PynamoDBException as error:
            raise StorageUnavailable(describe(error)) from error


# The longest pause between two attempts, in seconds.
_MAX_PAUSE = 0.2


def attempts(tries: int, *, first_pause: float = 0.01) -> Iterator[int]:
    """Yield the attempt numbers ``0 .. tries - 1``, pausing before every attempt after the first.

    The pause is random, up to ``first_pause`` doubled at each attempt (capped at 0.2 s):
    changes that lost a race to the same items spread out instead of meeting again.
    The caller ends the loop when an attempt succeeds, and decides what running out means.
    """
    for attempt in range(tries):
        if attempt:
            time.sleep(random.uniform(0, min(_MAX_PAUSE, first_pause * 2**attempt)))
        yield attempt
