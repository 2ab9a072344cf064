#include "io/migrate/adopt_history.h"

#include <memory>

#include <fmt/format.h>

#include "core/migrate/flyway_version.h"

#include "io/migrate/history_store.h"
#include "io/migrate/migration_lock.h"
#include "io/migrate/native_history_store.h"

namespace preflight::migrate {

AdoptResult adopt_history(pg::PgSession& session, const MigrationSet& files,
                          const AdoptRequest& request) {
  AdoptResult result;
  result.from = native_history_kind(request.history.layout);
  if (result.from == HistoryKind::sqlx) {
    throw Error(ErrorKind::usage,
                "migrate adopt converts another tool's history, but this migrations folder has "
                "sqlx's layout, whose history already is _sqlx_migrations",
                "set layout = \"…\" in preflight.toml if the folder is another tool's");
  }
  refuse_unkeyable_in_sqlx_history(files);
  // preflight's lock, then the tool's: neither preflight nor the tool migrates meanwhile.
  MigrationLock lock(session, request.lock_wait, request.on_wait);
  NativeHistoryStore native(session, result.from);
  native.pin_schema();
  if (!native.exists()) {
    throw Error(ErrorKind::input,
                fmt::format("{} does not exist in this database: there is no history to adopt",
                            describe_history(result.from)),
                "check the database URL; on a database the tool never migrated, `preflight "
                "migrate baseline V` records what it already contains");
  }
  std::unique_ptr<MigrationLock> tool_lock;
  if (auto key = native.tool_lock_key())
    tool_lock = std::make_unique<MigrationLock>(session, *key, request.lock_wait, request.on_wait);

  HistoryStore sqlx(session, request.history.sqlx_table);
  sqlx.pin_schema();
  sqlx.check_can_create();
  if (const auto rows = sqlx.list(); !rows.empty()) {
    throw Error(ErrorKind::history,
                fmt::format("{} already has {} row{}: adopt only starts preflight's history",
                            request.history.sqlx_table, rows.size(), rows.size() == 1 ? "" : "s"),
                "this database was adopted already; `preflight migrate status` shows its history");
  }
  result.status = compute_status(files, native.list(files));
  result.plan = plan_adopt(result.status, request.force);
  if (request.dry_run || (result.plan.blocking > 0 && !request.force)) return result;

  // One transaction: all rows or none.
  session.exec("BEGIN");
  try {
    sqlx.ensure();
    for (const auto& entry : result.plan.entries) {
      if (!entry.recorded) continue;
      const StatusEntry& e = *entry.status;
      sqlx.insert(*e.migration, entry.success, e.applied ? e.applied->execution_time_ns : 0);
    }
    session.exec("COMMIT");
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::connection) session.try_exec("ROLLBACK");
    throw;
  }
  result.written = true;
  return result;
}

} // namespace preflight::migrate
