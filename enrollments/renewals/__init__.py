"""Renewals ("reciclagem"): enroll again, in the same course, the people whose certificate is inside its renewal
window or expired, from the compliance report, as a background job.

A preview first (``selectors.renewal_preview``: who is enrolled again, seats needed and left, who cannot be and
why), then a job (``kind.RENEWAL``) whose chunks call ``services.renewal_enroll`` once per certificate: the one
service any renewal goes through, with the renewal's id fixed by the certificate's (``rules.renewal_enrollment_id``),
so nobody is renewed twice.
"""
