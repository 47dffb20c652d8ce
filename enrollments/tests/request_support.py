"""Requests sent at the same moment, as a double click or a retrying proxy sends them."""

import threading

from django.db import connections
from django.test import Client


def post_at_once(client: Client, url: str, data: dict, *, times: int = 2) -> list:
    """POST ``data`` to ``url`` ``times`` times at once, each from a thread with ``client``'s session; return
    the responses. Needs a transactional database (``django_db(transaction=True)``): threads have their own
    connections."""
    barrier = threading.Barrier(times)
    responses: list = [None] * times

    def send(index: int) -> None:
        twin = Client()
        twin.cookies = client.cookies
        barrier.wait()
        try:
            responses[index] = twin.post(url, data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses
