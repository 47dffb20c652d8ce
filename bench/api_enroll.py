"""Enrollments per second through the clients' API (``POST /api/v1/enrollments``): one client at a time, then
concurrent clients, each request sent twice with its Idempotency-Key (a client's retry): duplicates must be 0.

    python bench/api_enroll.py [--n 1000] [--clients 8] [--rtt-ms 10]

In process (Django's test client over the WSGI handler, one per client thread): what is measured is the API's own
work (key, rate limit, idempotency claim and answer, enroll) on DynamoDB Local, behind the latency proxy with
``--rtt-ms``. Last line:
``api enroll: <rows/s> with <k> clients = <x>x one at a time; duplicates after every request sent twice: <d>``.
"""

import argparse
import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from _setup import add_rtt_option, start_stack


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    add_rtt_option(parser)
    args = parser.parse_args()
    # The rate limit is not what is measured: a bucket no run empties.
    os.environ["API_RATE_BURST"] = os.environ["API_RATE_PER_MINUTE"] = str(10**9)
    stack = start_stack(rtt_ms=args.rtt_ms)
    try:
        run(args.n, args.clients)
    finally:
        stack.terminate()


def run(n: int, clients: int):
    from django.test import Client
    from django.test.utils import setup_test_environment

    from enrollments.client_api.services import api_key_create
    from enrollments.selectors import company_enrollments
    from enrollments.services import Author, company_create, course_create, order_create

    setup_test_environment()  # lets the test client's "testserver" host in
    author = Author(id="bench", name="Bench")
    course = course_create(name="Bench course", access_period_days=365, certificate_validity_days=730)

    def company_with_key():
        company = company_create(name=f"Bench {uuid.uuid4().hex[:6]}", billing="prepaid")
        order_create(tenant_id=company.id, course_id=course.id, seats=n, author=author)
        _key, token = api_key_create(company_id=company.id, name="Bench", author=author)
        return company, token

    def requests(count: int) -> list[tuple[str, str]]:
        bodies = []
        for _n in range(count):
            token = uuid.uuid4().hex[:12]
            body = {"name": f"P {token}", "email": f"p{token}@example.com", "course_id": course.id}
            bodies.append((uuid.uuid4().hex, json.dumps(body)))
        return bodies

    def send(token: str, times: int):
        def post(request):
            key, body = request
            client = Client(headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
            answers = [client.post("/api/v1/enrollments", body, content_type="application/json") for _t in range(times)]
            return [(answer.status_code, answer.json()) for answer in answers]

        return post

    def timed(label, work, items, pool_size):
        started = time.perf_counter()
        with ThreadPoolExecutor(pool_size) as pool:
            results = list(pool.map(work, items))
        rate = len(items) / (time.perf_counter() - started)
        print(f"{label}: {len(items)} in {len(items) / rate:.1f} s = {rate:.1f}/s", flush=True)
        return rate, results

    company, token = company_with_key()
    sequential, _results = timed("one client at a time", send(token, 1), requests(n), 1)

    company, token = company_with_key()
    concurrent, results = timed(f"{clients} clients, each request sent twice", send(token, 2), requests(n), clients)
    refused = sum(1 for answers in results for status, _body in answers if status != 201)
    differing = sum(1 for first, again in results if first != again)
    stored = sum(1 for _enrollment in company_enrollments(company.id))
    duplicates = stored - n
    print(f"answers not 201: {refused}; second answers differing from the first: {differing}", flush=True)
    print(
        f"api enroll: {concurrent:.1f} rows/s with {clients} clients = {concurrent / sequential:.1f}x one at a time; "
        f"duplicates after every request sent twice: {duplicates}"
    )


if __name__ == "__main__":
    main()
