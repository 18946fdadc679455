"""SQLite whose transactions begin IMMEDIATE: they take the write lock at
BEGIN, waiting for it under the busy timeout, instead of failing with
"database is locked" when a transaction that has read tries to write while
another connection writes (SQLite, "Transaction": a deferred transaction's
upgrade to a write transaction gets SQLITE_BUSY without waiting when that
could deadlock). Django 5.1 offers this as the "transaction_mode" option;
Django 3.2 needs the subclass."""
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self):
        self.cursor().execute("BEGIN IMMEDIATE")
