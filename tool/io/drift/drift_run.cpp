#include "io/drift/drift_run.h"

#include <chrono>
#include <future>

#include <fmt/format.h>

#include "core/migrate/history.h"
#include "core/text/text.h"
#include "io/drift/catalog_reader.h"
#include "io/migrate/migrator.h"

namespace preflight::drift {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Migrations may GRANT to, or set OWNER TO, the live server's roles: the throwaway cluster gets
// roles of the same names (NOLOGIN, no password, no membership) so that those statements run.
void copy_roles(pg::PgSession& live, pg::PgSession& admin) {
  auto live_roles = live.exec("SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_'");
  std::string sql;
  for (int i = 0; i < live_roles.rows(); ++i) {
    const std::string name = live_roles.get(i, 0);
    sql += fmt::format("DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {}) "
                       "THEN CREATE ROLE {} NOLOGIN; END IF; END$$;",
                       admin.quote_literal(name), admin.quote_name(name));
  }
  if (!sql.empty()) admin.exec(sql);
}

// The live database's `ALTER DATABASE … SET` and `ALTER ROLE … SET` defaults (search_path above
// all) decided where its migrations created their objects; the expected database gets them too,
// the more specific overriding the less (database, then role, then role in database). Each value
// goes through set_config() and `SET … FROM CURRENT`, which keeps PostgreSQL's own text of it.
void copy_settings(pg::PgSession& live, pg::PgSession& admin, const std::string& database) {
  auto settings =
      live.exec("SELECT split_part(c, '=', 1), substr(c, strpos(c, '=') + 1) "
                "FROM pg_db_role_setting s, unnest(s.setconfig) c "
                "WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = "
                "current_database())) "
                "AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user)) "
                "ORDER BY (s.setrole <> 0)::int * 2 + (s.setdatabase <> 0)::int");
  for (int i = 0; i < settings.rows(); ++i) {
    const std::string name = settings.get(i, 0);
    if (name == "default_transaction_read_only") continue;
    if (!admin.try_exec_params("SELECT set_config($1, $2, false)", {name, settings.get(i, 1)}).ok())
      continue; // a setting this server does not know: its default stays
    admin.try_exec(fmt::format("ALTER DATABASE {} SET {} FROM CURRENT", admin.quote_name(database),
                               admin.quote_name(name)));
  }
}

std::int64_t recorded_version(const std::vector<migrate::AppliedMigration>& history) {
  std::int64_t newest = 0;
  for (const auto& row : history) {
    if (row.success) newest = std::max(newest, row.version);
  }
  return newest;
}

} // namespace

void check_target_version(const migrate::MigrationSet& files, std::optional<std::int64_t> to) {
  if (!to || *to == 0 || files.find(*to) != nullptr) return;
  throw Error(ErrorKind::usage, fmt::format("--to {}: no migration has this version", *to),
              "give the version of a migration in the folder (`preflight migrate status` lists "
              "them), or 0 for none");
}

DriftResult run_drift(pg::PgSession& live, const migrate::MigrationSet& files,
                      const DriftRequest& request,
                      const std::function<void(const std::string&)>& progress) {
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  check_target_version(files, request.to);
  DriftResult result;
  // Nothing this session runs may write, whatever a query does.
  live.exec("SET default_transaction_read_only = on");

  // Which schema is expected: the migrations up to the version the database records.
  auto table = migrate::open_history_table(live, request.history);
  table->pin_schema();
  const migrate::HistoryKind kind = table->kind();
  const auto history = table->list(files);
  // Both sides keep the history in the same kind of table, left out of the comparison.
  const std::string history_name = kind == migrate::HistoryKind::sqlx
                                       ? request.history.sqlx_table
                                       : std::string(migrate::native_table_name(kind));
  const auto status = migrate::compute_status(files, history);
  if (auto problems = migrate::history_problems(status); !problems.empty())
    throw Error::combine(std::move(problems));
  const std::int64_t version = request.to.value_or(recorded_version(history));
  if (!request.to && version == 0) {
    result.warnings.push_back(fmt::format(
        "the database records no applied migration in {}: the expected schema is that of no "
        "migration (pass --to V to expect another)",
        migrate::describe_history(kind)));
  }
  for (const auto& entry : status) {
    if (entry.state == migrate::MigrationState::pending_out_of_order && entry.version <= version) {
      result.warnings.push_back(fmt::format(
          "migration {} ({}) is not applied in the database but is older than version {}: the "
          "expected schema includes it",
          entry.shown_version(), entry.description, files.shown_version(version)));
    }
  }
  result.summary.version = version;
  if (const auto* m = files.find(version)) result.summary.version_text = m->version_text;
  result.summary.comments = request.compare.comments;
  for (const auto& m : files.all()) result.summary.migrations += m.version <= version ? 1U : 0U;
  if (version == 0) result.summary.migrations = 0;

  // The expected side: a fresh database on a private cluster, shaped like the live one.
  auto start = Clock::now();
  auto cluster = cluster::ThrowawayCluster::start(request.cluster);
  const std::string database = "preflight_expected";
  cluster->create_database(database);
  {
    auto admin = pg::PgSession::connect(cluster->conninfo("postgres"), "preflight migrate diff");
    copy_roles(live, *admin);
    copy_settings(live, *admin, database);
  }
  auto expected_session =
      pg::PgSession::connect(cluster->conninfo(database), "preflight migrate diff");
  if (!request.schema.empty()) {
    const std::string schema = expected_session->quote_name(request.schema);
    expected_session->exec(
        fmt::format("CREATE SCHEMA {0}; SET search_path TO {0}, public", schema));
  }
  result.timings.cluster_ms = ms_since(start);

  // The live catalog is read while the migrations apply: two servers, and nothing else uses
  // the live session from here on.
  auto live_read = std::async(std::launch::async, [&] {
    auto t = Clock::now();
    auto catalog = read_catalog(live, history_name);
    return std::make_pair(std::move(catalog), ms_since(t));
  });

  start = Clock::now();
  if (version > 0) {
    say(fmt::format("applying {} migration{} up to version {} on a throwaway cluster",
                    result.summary.migrations, result.summary.migrations == 1 ? "" : "s", version));
    migrate::MigratorOptions options;
    options.history_table = request.history.sqlx_table;
    options.history_mode = kind == migrate::HistoryKind::sqlx ? "sqlx" : "native";
    options.layout = request.history.layout;
    migrate::Migrator migrator(*expected_session, options);
    auto run = migrator.up(files, migrate::UpOptions{version, true});
    if (const auto* failed = run.failure()) {
      const Error& e = *failed->error;
      throw Error(ErrorKind::input, "the expected schema cannot be built: " + e.message(),
                  (e.hint().empty() ? "" : e.hint() + "\n") +
                      "the migrations must apply to an empty database on a throwaway cluster "
                      "(PostgreSQL " +
                      std::to_string(expected_session->server_version() / 10000) +
                      "): extensions they create must be installed on this machine",
                  e.location());
    }
  }
  result.timings.apply_ms = ms_since(start);

  start = Clock::now();
  Catalog expected = read_catalog(*expected_session, history_name);
  result.timings.read_expected_ms = ms_since(start);
  auto [actual, live_ms] = live_read.get();
  result.timings.read_actual_ms = live_ms;
  if (actual.server_version / 10000 != expected.server_version / 10000) {
    result.warnings.push_back(fmt::format(
        "the database runs PostgreSQL {} and the throwaway cluster {}: definitions may be printed "
        "differently",
        actual.server_version / 10000, expected.server_version / 10000));
  }

  if (!request.schema.empty()) {
    keep_schema(expected, request.schema);
    keep_schema(actual, request.schema);
  }
  start = Clock::now();
  result.differences = compare_catalogs(expected, actual, request.compare);
  result.timings.compare_ms = ms_since(start);
  say(fmt::format(
      "catalogs read in {} (database) and {} (expected), compared in {}",
      text::format_duration_ns(static_cast<std::int64_t>(live_ms * 1e6)),
      text::format_duration_ns(static_cast<std::int64_t>(result.timings.read_expected_ms * 1e6)),
      text::format_duration_ns(static_cast<std::int64_t>(result.timings.compare_ms * 1e6))));
  return result;
}

} // namespace preflight::drift
