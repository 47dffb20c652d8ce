"""The confirmation of a background export: its token becomes the job's id."""

from ..forms import SubmitOnceForm


class ExportStartForm(SubmitOnceForm):
    """Start an export in the background; the rows it reads come from the page's address, not from the form."""
