"""Bulk cancels: cancel many enrollments at once (selected on the list, or every one of an import) in the background.

Each enrollment is still its own ``cancel`` transaction; the job records, chunk by
chunk, which were canceled and which were refused, and why.
"""
