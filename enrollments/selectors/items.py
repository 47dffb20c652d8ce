"""Reads of one item by its key: the shared ``_find`` of every ``<item>_get`` and ``<item>_find``."""

from ..dynamo import keys


def _find(model, key: keys.Key):
    """Return the item of ``model`` at ``key``, or ``None``: also when the key cannot exist in DynamoDB or holds
    another kind of item (a ``user#<email>`` given as an enrollment id)."""
    if not keys.storable(key):
        return None
    try:
        return model.get(*key, consistent_read=True)
    except model.DoesNotExist:
        return None
    except ValueError as error:
        # PynamoDB's refusal to build ``model`` from an item whose ``kind`` names another class
        # (AttributeContainer._instantiate). An item written by an update has no ``kind``: it is read as ``model``.
        if str(error).startswith("Cannot instantiate a "):
            return None
        raise
