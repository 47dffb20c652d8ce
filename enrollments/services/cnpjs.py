"""One company per CNPJ: the holder item a company's creation and edits claim, and its backfill."""

from dataclasses import dataclass, field
from typing import NamedTuple

from pynamodb.exceptions import PutError

from .. import clock, selectors
from ..dynamo import keys
from ..dynamo.errors import storage_errors_as_domain_errors
from ..dynamo.models import CnpjHolderItem, CompanyItem
from ..dynamo.transactions import Transaction
from ..exceptions import CnpjTaken, CompanyNotFound, ConcurrentChange

# The name of the transaction part that claims the new CNPJ: its failure is a ``CnpjTaken``.
CLAIM = "cnpj"


def _free_or_of(company_id: str):
    return CnpjHolderItem.company_id.does_not_exist() | (CnpjHolderItem.company_id == company_id)


def cnpj_claim(tx: Transaction, *, cnpj: str, company_id: str) -> None:
    """Add to ``tx`` the put of the holder item that gives ``cnpj`` to the company, if nobody else holds it."""
    tx.put(
        CnpjHolderItem(*keys.cnpj_holder(cnpj), company_id=company_id, created_at=clock.now_iso()),
        condition=_free_or_of(company_id),
        name=CLAIM,
    )


def cnpj_move(tx: Transaction, *, company: CompanyItem, new: str | None) -> None:
    """Add to ``tx`` what moves ``company`` from its CNPJ to ``new``: free the old one, claim the new one."""
    old = company.cnpj
    if old == new:
        return
    if new:
        cnpj_claim(tx, cnpj=new, company_id=company.id)
    if old:
        holder = selectors.cnpj_holder_find(old)
        # A company created before the holder items may share its CNPJ with the one holding it: that one keeps it.
        # Absent (written before the holder items), the delete's condition lets the edit through.
        if holder is None or holder.company_id == company.id:
            tx.delete(CnpjHolderItem(*keys.cnpj_holder(old)), condition=_free_or_of(company.id), name="old_cnpj")


def cnpj_taken(cnpj: str) -> CnpjTaken | ConcurrentChange:
    """Return the error that says which company holds ``cnpj`` (``ConcurrentChange`` if it was freed meanwhile)."""
    holder = selectors.cnpj_holder_find(cnpj)
    if holder is None:
        return ConcurrentChange()
    try:
        name = selectors.company_get(holder.company_id).name
    except CompanyNotFound:
        name = holder.company_id
    return CnpjTaken(cnpj=cnpj, holder_id=holder.company_id, holder_name=name)


class CnpjDuplicate(NamedTuple):
    """A CNPJ two companies share: the one holding it, and one created after it with the same CNPJ."""

    cnpj: str
    holder_id: str
    holder_name: str
    company_id: str
    company_name: str


@dataclass
class CnpjIndexReport:
    """What ``company_cnpjs_index`` did: holder items written, found, and CNPJs two companies share."""

    indexed: int = 0
    already: int = 0
    # Left as they are: staff decide which company's CNPJ is wrong.
    duplicates: list[CnpjDuplicate] = field(default_factory=list)


@storage_errors_as_domain_errors
def company_cnpjs_index() -> CnpjIndexReport:
    """Write the holder item of every company's CNPJ that has none: for companies made before the holder items.

    The oldest company with a CNPJ gets it; a later one with the same CNPJ is reported, not changed
    (staff decide which one is wrong). One conditional put a company; running it again changes nothing.
    """
    report = CnpjIndexReport()
    companies = sorted(
        (company for company in selectors.company_list() if company.cnpj),
        key=lambda company: (company.created_at or "", company.id),
    )
    names = {company.id: company.name for company in companies}
    for company in companies:
        item = CnpjHolderItem(*keys.cnpj_holder(company.cnpj), company_id=company.id, created_at=clock.now_iso())
        try:
            item.save(condition=CnpjHolderItem.company_id.does_not_exist())
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            holder = selectors.cnpj_holder_find(company.cnpj)
            if holder.company_id == company.id:
                report.already += 1
            else:
                holder_name = names.get(holder.company_id, holder.company_id)
                report.duplicates.append(
                    CnpjDuplicate(company.cnpj, holder.company_id, holder_name, company.id, company.name)
                )
        else:
            report.indexed += 1
    return report
