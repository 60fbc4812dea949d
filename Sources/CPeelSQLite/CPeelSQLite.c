#include "CPeelSQLite.h"

// sqlite-nio builds SQLite with its functions renamed; this is its sqlite3_db_config.
extern int sqlite_nio_sqlite3_db_config(struct sqlite3 *db, int op, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG in sqlite3.h.
#define PEEL_SQLITE_DBCONFIG_ENABLE_QPSG 1007

int peel_sqlite_enable_qpsg(struct sqlite3 *db) {
    // The last argument may be NULL when the caller does not ask whether the setting took.
    return sqlite_nio_sqlite3_db_config(db, PEEL_SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)0);
}
