"""Every write of the back office. Each service is one DynamoDB transaction."""

from .catalog import company_create, course_create, order_create
from .common import Author
from .enrollment import Person, cancel, enroll

__all__ = ["Author", "Person", "cancel", "company_create", "course_create", "enroll", "order_create"]
