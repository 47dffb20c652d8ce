"""Back-office pages, served inside the admin site (see ``enrollments.admin``)."""
