"""Storage errors become one domain error: no PynamoDB or botocore error leaves a selector or a service."""

import functools
import inspect

from pynamodb.exceptions import PynamoDBException

from ..exceptions import StorageUnavailable


def describe(error: PynamoDBException) -> str:
    """Return what DynamoDB (or the connection to it) said, in one line."""
    cause = error.cause
    return getattr(error, "cause_response_message", None) or (str(cause) if cause else str(error))


def storage_errors_as_domain_errors(function):
    """Let no PynamoDB or botocore error leave ``function``: turn it into ``StorageUnavailable``.

    A generator function is covered while it is iterated, since that is when it reads.
    """
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def generator(*args, **kwargs):
            try:
                return (yield from function(*args, **kwargs))
            except PynamoDBException as error:
                raise StorageUnavailable(describe(error)) from error

        return generator

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except PynamoDBException as error:
            raise StorageUnavailable(describe(error)) from error

    return wrapper
