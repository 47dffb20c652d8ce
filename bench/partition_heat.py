"""Partition heat of an import: the write units each partition key takes, per imported row.

    .venv/bin/python bench/partition_heat.py                   # 10,000 rows of one prepaid company, one course
    .venv/bin/python bench/partition_heat.py --rows 2000 --courses 3 --rtt-ms 10

It starts its own DynamoDB Local (``_setup.start_stack``), creates one prepaid company
with enough seats in ``--courses`` courses, and imports a CSV of ``--rows`` people the
way ``manage.py enroll_csv`` does (``imports.services.import_start(..., enqueue=None)``
and ``jobs.services.job_run_inline``, so ``IMPORT_THREADS`` rows at once). Nothing is
guessed: every write request PynamoDB sends during the import (``Connection._make_api_call``:
TransactWriteItems, BatchWriteItem, PutItem, UpdateItem, DeleteItem) is recorded, and for
each item it writes:

- the item before: read with one consistent BatchGetItem per request, just before it is
  sent (for Put, Update and Delete alike; a Put over nothing has no before);
- the item after: a Put's is the request's item; an Update's is **read back** with a
  consistent BatchGetItem right after the request (no estimate from the model); a
  Delete has none.

Sizes follow DynamoDB's rules (attribute names plus values: strings in UTF-8, numbers
about one byte per two digits plus one, maps and lists 3 bytes plus one per element).
The base table pays for the larger of before and after; each global secondary index
(read from DescribeTable: keys and projection) pays where the item is in it before
or after: the projected entry (ALL: the whole item; INCLUDE and KEYS_ONLY: the table
and index keys plus the included attributes), a key change being a delete plus a put,
an unchanged entry nothing. A write costs 1 unit per started KB, 2 when its request is
a TransactWriteItems; index writes caused by a transaction are counted at 2 as well (on
the safe side: AWS bills index propagation as standard writes). ConditionCheck costs a
read, not a write, and is left out.

Before the partitions, two tables say where the units went: per item kind (its ``kind``
discriminator and the shape of its sort key: ``schedules#…``, ``name#…``), the table writes
a row and the units a row in the table and in the indexes, with the largest item written
(an item or index entry over 1,024 bytes costs twice); and per table and index, the items
or entries written a row and their units a row.

Units are summed per partition key (``<table or index>:<partition key value>``), the
company, course and job ids printed as ``<tenant_id>``, ``<course_id>``, ``<job_id>``.
Partitions a single enrollment owns (its own id, ``user#...``, ``active#...``) are
summed as one line each kind. At 1,000 imported rows per second a partition needs
``units / rows * 1000`` units per second, against DynamoDB's 1,000 write units per
second per partition. Last line:
``heat: hottest <table/index>:<key pattern> <n> units/s at 1,000 rows/s (limit 1,000)``.
"""

import argparse
import io
import math
import re
import threading
import time
from base64 import b64decode
from collections import defaultdict

from _setup import add_rtt_option, start_stack

PARTITION_LIMIT = 1000
TARGET_ROWS_PER_SECOND = 1000
WRITES = {"TransactWriteItems", "BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the imported file (one prepaid company)")
    parser.add_argument("--courses", type=int, default=1, help="courses the rows are spread over, in turn")
    parser.add_argument("--top", type=int, default=15, help="partition keys listed, hottest first")
    add_rtt_option(parser)
    args = parser.parse_args()
    stack = start_stack(rtt_ms=args.rtt_ms)
    try:
        run(args)
    finally:
        stack.terminate()
        stack.wait(timeout=30)


def run(args) -> None:
    from django.conf import settings

    company, courses = _prepaid_company(args.rows, args.courses)
    schemas = _schemas()
    recorder = Recorder(schemas)
    from enrollments.imports import services as import_services
    from enrollments.imports.kind import IMPORT
    from enrollments.jobs.services import job_run_inline
    from enrollments.services import Author

    lines = ["name,email,course"] + [
        f"{_name(i)},heat{i}@example.com,{courses[i % len(courses)].sk}" for i in range(args.rows)
    ]
    started = time.perf_counter()
    with recorder:
        job = import_services.import_start(
            file=io.BytesIO(("\n".join(lines) + "\n").encode()),
            file_name="heat.csv",
            tenant_id=company.id,
            author=Author(id="bench", name="Bench"),
            enqueue=None,
        )
        job = job_run_inline(IMPORT, job_id=job.job_id)
    print(
        f"import of {args.rows} rows ({job.enrolled} enrolled) in {time.perf_counter() - started:.1f} s, "
        f"IMPORT_THREADS={settings.IMPORT_THREADS}, {len(recorder.writes)} item writes recorded",
        flush=True,
    )
    if job.enrolled != args.rows:
        raise SystemExit(f"expected {args.rows} enrolled, got {job.enrolled}: the numbers would not be per row")
    names = {company.id: "<tenant_id>", job.job_id: "<job_id>"}
    names.update({course.id: "<course_id>" for course in courses})
    report(recorder, rows=args.rows, names=names, top=args.top)


# Common Brazilian first names and surnames: the name search's partitions (a word's first two letters) get
# the share of words a real company's people would give them, "ma" (Maria, Marcos, Martins...) the most.
FIRST_NAMES = (
    "Maria Ana Francisca Antonia Adriana Juliana Marcia Fernanda Patricia Aline Jose Joao Antonio Francisco Carlos "
    "Paulo Pedro Lucas Luiz Marcos Luis Gabriel Rafael Daniel Marcelo Bruno Eduardo Felipe Rodrigo Mateus Camila "
    "Amanda Bruna Leticia Larissa Mariana Beatriz Gustavo Vinicius Leonardo Thiago Diego Sandra Simone Vanessa"
).split()
SURNAMES = (
    "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho "
    "Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira Nunes Marques Machado "
    "Mendes Freitas Cardoso Ramos Goncalves Santana Teixeira Araujo Moura Batista Campos Correia"
).split()


def _name(i: int) -> str:
    """Return a first name, a particle now and then and two surnames, picked by a fixed formula (the same every run)."""
    first = FIRST_NAMES[(i * 7) % len(FIRST_NAMES)]
    middle = SURNAMES[(i * 13 + i // 7) % len(SURNAMES)]
    last = SURNAMES[(i * 5 + i // 3) % len(SURNAMES)]
    return f"{first} {'da ' if i % 3 == 0 else ''}{middle} {last}"


def _prepaid_company(rows: int, course_count: int):
    from enrollments.rules import MAX_SEATS_PER_ORDER
    from enrollments.services import Author, company_create, course_create, order_create

    author = Author(id="bench", name="Bench")
    company = company_create(name="Heat company", billing="prepaid")
    courses = [
        course_create(name=f"Heat course {n}", access_period_days=90, certificate_validity_days=365)
        for n in range(course_count)
    ]
    for number, course in enumerate(courses):
        seats = len(range(number, rows, course_count))
        for start in range(0, seats, MAX_SEATS_PER_ORDER):
            order_create(
                tenant_id=company.id, course_id=course.id, seats=min(MAX_SEATS_PER_ORDER, seats - start), author=author
            )
    print(f"setup: company with {rows} seats in {course_count} course(s)", flush=True)
    return company, courses


# Table schemas, from DynamoDB itself.


class Schema:
    def __init__(self, description: dict):
        self.name = description["TableName"]
        self.keys = [element["AttributeName"] for element in description["KeySchema"]]
        self.hash_key = self.keys[0]
        self.indexes = []
        for index in description.get("GlobalSecondaryIndexes", []):
            index_keys = [element["AttributeName"] for element in index["KeySchema"]]
            projection = index["Projection"]
            self.indexes.append(
                (
                    index["IndexName"],
                    index_keys,
                    projection["ProjectionType"],
                    set(projection.get("NonKeyAttributes", ())),
                )
            )


def _schemas() -> dict[str, Schema]:
    from enrollments.dynamo.connection import connection
    from enrollments.dynamo.models import MainItem, OrderTableItem

    schemas = {}
    for base in (MainItem, OrderTableItem):
        description = connection().describe_table(base.Meta.table_name)
        schemas[description["TableName"]] = Schema(description)
    return schemas


# Item sizes, by DynamoDB's rules.


def value_size(value: dict) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        digits = content.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(b64decode(content)) if isinstance(content, str) else len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(element.encode()) for element in content)
    if kind == "NS":
        return sum(value_size({"N": element}) for element in content)
    if kind == "BS":
        return sum(value_size({"B": element}) for element in content)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in content.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def units(size: int, transactional: bool) -> int:
    return max(1, math.ceil(size / 1024)) * (2 if transactional else 1)


# The recorder.


class Write:
    """One item written: its table, before and after images, and whether a transaction wrote it."""

    __slots__ = ("table", "before", "after", "transactional", "operation")

    def __init__(self, table, before, after, transactional, operation):
        self.table, self.before, self.after = table, before, after
        self.transactional, self.operation = transactional, operation


class Recorder:
    """Records every item write PynamoDB sends while active, with the item before and after."""

    def __init__(self, schemas: dict[str, Schema]):
        self.schemas = schemas
        self.writes: list[Write] = []
        self._lock = threading.Lock()
        self._original = None

    def __enter__(self):
        from pynamodb.connection.base import Connection

        original = self._original = Connection._make_api_call
        recorder = self

        def recording(connection, operation_name, operation_kwargs):
            if operation_name not in WRITES:
                return original(connection, operation_name, operation_kwargs)
            parts = list(recorder._parts(operation_name, operation_kwargs))
            befores = recorder._read(connection, original, [(table, key) for table, key, _op, _item in parts])
            response = original(connection, operation_name, operation_kwargs)
            updated = [(table, key) for table, key, op, _item in parts if op == "Update"]
            afters = recorder._read(connection, original, updated) if updated else {}
            transactional = operation_name == "TransactWriteItems"
            with recorder._lock:
                for table, key, op, item in parts:
                    ident = (table, _key_id(key))
                    after = item if op == "Put" else afters.get(ident) if op == "Update" else None
                    recorder.writes.append(Write(table, befores.get(ident), after, transactional, op))
            return response

        Connection._make_api_call = recording
        return self

    def __exit__(self, *exc):
        from pynamodb.connection.base import Connection

        Connection._make_api_call = self._original

    def _parts(self, operation: str, kwargs: dict):
        """Yield ``(table, key, Put|Update|Delete, item of a Put)`` of every item a write request changes."""
        if operation == "TransactWriteItems":
            for part in kwargs["TransactItems"]:
                ((op, body),) = part.items()
                if op == "ConditionCheck":
                    continue
                yield from self._part(body["TableName"], op, body)
        elif operation == "BatchWriteItem":
            for table, requests in kwargs["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        yield from self._part(table, "Put", request["PutRequest"])
                    else:
                        yield from self._part(table, "Delete", request["DeleteRequest"])
        else:
            yield from self._part(kwargs["TableName"], operation.removesuffix("Item"), kwargs)

    def _part(self, table: str, op: str, body: dict):
        schema = self.schemas[table]
        if op == "Put":
            item = body["Item"]
            yield table, {name: item[name] for name in schema.keys}, op, item
        else:
            yield table, body["Key"], op, None

    def _read(self, connection, original, keyed: list[tuple[str, dict]]) -> dict:
        """Return the items of these keys that exist, by ``(table, key id)``: consistent BatchGetItem, unrecorded."""
        wanted: dict[str, dict] = defaultdict(dict)
        for table, key in keyed:
            wanted[table][_key_id(key)] = key
        found = {}
        for table, by_id in wanted.items():
            pending = list(by_id.values())
            for start in range(0, len(pending), 100):
                request = {table: {"Keys": pending[start : start + 100], "ConsistentRead": True}}
                while request:
                    response = original(connection, "BatchGetItem", {"RequestItems": request})
                    for item in response.get("Responses", {}).get(table, []):
                        found[(table, _key_id({name: item[name] for name in self.schemas[table].keys}))] = item
                    request = response.get("UnprocessedKeys") or None
        return found


def _key_id(key: dict) -> tuple:
    return tuple(sorted((name, next(iter(value.values()))) for name, value in key.items()))


# Units per partition.


def charges(recorder: Recorder):
    """Yield ``(partition label, table or index name, item kind, units, bytes)`` of every table write and index entry."""
    for write in recorder.writes:
        schema = recorder.schemas[write.table]
        image = write.after or write.before
        if image is None:
            continue
        table_label = write.table.split("_", 1)[-1] if "_" in write.table else write.table
        kind = item_kind(image)
        size = max(item_size(write.before or {}), item_size(write.after or {}))
        partition = next(iter(image[schema.hash_key].values()))
        yield f"{table_label}:{partition}", table_label, kind, units(size, write.transactional), size
        for name, index_keys, projection, included in schema.indexes:
            before = _entry(write.before, schema.keys, index_keys, projection, included)
            after = _entry(write.after, schema.keys, index_keys, projection, included)
            if before == after:
                continue
            moved = before is not None and after is not None and _keys(before, index_keys) != _keys(after, index_keys)
            for entry, counted in ((before, before is not None and (after is None or moved)), (after, after)):
                if counted and entry is not None:
                    value = next(iter(entry[index_keys[0]].values()))
                    size = item_size(entry)
                    yield f"{name}:{value}", name, kind, units(size, write.transactional), size


def item_kind(image: dict) -> str:
    """Return an item's kind: its ``kind`` discriminator and the shape of its sort key (``schedules#``, ``name#``...)."""
    kind = next(iter(image.get("kind", {"S": "?"}).values()))
    sk = next(iter(image.get("sk", {"S": ""}).values()))
    prefix, hash_, _rest = sk.partition("#")
    if not hash_:
        shape = sk if sk in ("0", "cancel_policy", "parent_vacancy", "canceled_date") else "<id>"
    elif _UUID.match(prefix) or prefix[:1].isdigit():
        shape = "<id or time>#…"
    elif kind == "name_word" and prefix != "name":
        shape = "<word>#…"  # keyed by its word (``keys.name_word``); ``name#<word>`` before issue 23
    else:
        shape = f"{prefix}#…"
    if kind == "?":
        # An item an update creates without its discriminator (``active#<user>``): named by its partition's prefix.
        pk = next(iter(image.get("id", image.get("order_id", {"S": ""})).values()))
        kind = pk.partition("#")[0] + "#" if "#" in pk else "?"
    return f"{kind} ({shape})"


def partition_units(recorder: Recorder) -> dict[str, int]:
    """Return the write units of each ``<table or index>:<partition key>`` over the recorded writes."""
    heat: dict[str, int] = defaultdict(int)
    for label, _where, _kind, charged, _size in charges(recorder):
        heat[label] += charged
    return heat


def breakdown(recorder: Recorder, *, rows: int) -> None:
    """Print the units a row of each item kind (table and indexes) and of the table and each index."""
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # table writes, table units, index units, bytes
    by_where: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # entries, units, largest entry
    tables = {name.split("_", 1)[-1] if "_" in name else name for name in recorder.schemas}
    for _label, where, kind, charged, size in charges(recorder):
        if where in tables:
            by_kind[kind][0] += 1
            by_kind[kind][1] += charged
            by_kind[kind][3] = max(by_kind[kind][3], size)
        else:
            by_kind[kind][2] += charged
        by_where[where][0] += 1
        by_where[where][1] += charged
        by_where[where][2] = max(by_where[where][2], size)
    print(
        f"{'item kind (sort key)':<44} {'writes/row':>10} {'table u/row':>11} {'index u/row':>11} {'total u/row':>11} "
        f"{'largest B':>9}"
    )
    for kind, (writes, table_units, index_units, largest) in sorted(
        by_kind.items(), key=lambda pair: -sum(pair[1][1:3])
    ):
        print(
            f"{kind:<44} {writes / rows:>10.2f} {table_units / rows:>11.2f} {index_units / rows:>11.2f} "
            f"{(table_units + index_units) / rows:>11.2f} {largest:>9}"
        )
    print(f"{'table or index':<44} {'items/row':>10} {'units/row':>11} {'largest B':>11}")
    for where, (entries, charged, largest) in sorted(by_where.items(), key=lambda pair: -pair[1][1]):
        print(f"{where:<44} {entries / rows:>10.2f} {charged / rows:>11.2f} {largest:>11}")


def _entry(item, table_keys, index_keys, projection, included):
    """Return the index entry of ``item`` (``None`` when the item lacks the index's keys)."""
    if item is None or any(name not in item for name in index_keys):
        return None
    if projection == "ALL":
        return item
    wanted = set(table_keys) | set(index_keys) | included
    return {name: value for name, value in item.items() if name in wanted}


def _keys(entry, index_keys):
    return [entry[name] for name in index_keys]


_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def pattern(label: str, names: dict[str, str]) -> str:
    """Return a partition label with the run's ids named, and an enrollment's own partitions as one kind."""
    for value, name in names.items():
        label = label.replace(value, name)
    table, _, key = label.partition(":")
    for prefix in ("user#", "active#", "cpf#"):
        if key.startswith(prefix):
            return f"{table}:{prefix}<each person>"
    if table == "enrollments" and _UUID.fullmatch(key):
        return f"{table}:<each enrollment>"
    if table in ("by_email", "by_cpf"):
        return f"{table}:<each person>"
    if table == "orders":
        return f"{table}:<order_id>"
    return label


def report(recorder: Recorder, *, rows: int, names: dict[str, str], top: int) -> None:
    heat = partition_units(recorder)
    # Partitions of one enrollment or one person: the hottest of each kind stands for them all.
    by_pattern: dict[str, tuple[int, int]] = {}
    for label, total in heat.items():
        kind = pattern(label, names)
        if kind.endswith(("<each enrollment>", "<each person>", "<order_id>")):
            hottest, count = by_pattern.get(kind, (0, 0))
            by_pattern[kind] = (max(hottest, total), count + 1)
        else:
            by_pattern[kind] = (total, 1)
    total_units = sum(heat.values())
    breakdown(recorder, rows=rows)
    print(
        f"{len(recorder.writes)} item writes, {total_units} write units in {len(heat)} partition keys: "
        f"{total_units / rows:.1f} units a row, {len(recorder.writes) / rows:.1f} items a row",
        flush=True,
    )
    ranked = sorted(by_pattern.items(), key=lambda pair: -pair[1][0])
    print(f"{'partition key (hottest of a kind)':<58} {'units':>8} {'units/row':>9} {'units/s at 1,000 rows/s':>24}")
    for kind, (hottest, count) in ranked[:top]:
        per_second = hottest / rows * TARGET_ROWS_PER_SECOND
        flag = "  OVER" if per_second > PARTITION_LIMIT else ""
        label = kind + (f" ({count} keys)" if count > 1 else "")
        print(f"{label:<58} {hottest:>8} {hottest / rows:>9.3f} {per_second:>24.0f}{flag}")
    kind, (hottest, _count) = ranked[0]
    print(
        f"heat: hottest {kind} {hottest / rows * TARGET_ROWS_PER_SECOND:.0f} units/s at 1,000 rows/s "
        f"(limit {PARTITION_LIMIT:,})"
    )


if __name__ == "__main__":
    main()
