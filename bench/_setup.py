"""Shared start-up of the benchmarks: a fresh DynamoDB Local in memory and Django on it."""

import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def start_stack():
    """Start DynamoDB Local, point Django at it with a fresh prefix, create the tables; return the process."""
    from scripts import dynamodb_local

    process, port = dynamodb_local.start()
    os.environ["DYNAMODB_ENDPOINT"] = f"http://127.0.0.1:{port}"
    os.environ["DYNAMODB_TABLE_PREFIX"] = f"bench{uuid.uuid4().hex[:6]}_"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from enrollments.dynamo.connection import create_tables

    create_tables()
    return process
