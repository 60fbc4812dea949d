#ifndef CPEEL_SQLITE_H
#define CPEEL_SQLITE_H

struct sqlite3;

/// Turns on SQLite's query planner stability guarantee for the connection, so that the values
/// bound to a statement never change its plan and never make SQLite prepare it again. Returns
/// SQLite's result code.
///
/// sqlite3_db_config is variadic, which Swift cannot call; this is the one call Peel needs.
int peel_sqlite_enable_qpsg(struct sqlite3 *db);

#endif
