"""Reads of the clients' API: a company's API keys."""

from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import ApiKeyItem, CompanyApiKeyItem
from ..selectors.items import _find


@storage_errors_as_domain_errors
def api_key_find(key_id: str) -> ApiKeyItem | None:
    """Return the API key ``key_id`` of any company, or ``None``."""
    return _find(ApiKeyItem, keys.api_key(key_id))


@storage_errors_as_domain_errors
def company_api_key_find(company_id: str, key_id: str) -> ApiKeyItem | None:
    """Return the API key ``key_id`` if it is one of ``company_id``'s, else ``None``."""
    key = api_key_find(key_id)
    return key if key is not None and key.company_id == company_id else None


@storage_errors_as_domain_errors
def api_key_list(company_id: str) -> list[ApiKeyItem]:
    """Return a company's API keys, newest first: the listing's query, then one batch read of the keys."""
    listed = [item.key_id for item in CompanyApiKeyItem.query(keys.company_api_keys(company_id), consistent_read=True)]
    found = list(ApiKeyItem.batch_get([keys.api_key(key_id) for key_id in listed])) if listed else []
    return sorted(found, key=lambda key: key.created_at or "", reverse=True)
