#include "cli/schema_command.hpp"

#include <iostream>

#include "config/worker_config.hpp"
#include "config/yaml_doc.hpp"
#include "log/log.hpp"
#include "mapping/mapping.hpp"
#include "persistence/database.hpp"
#include "persistence/schema_migrator.hpp"
#include "persistence/sql_text.hpp"

namespace vsink {

int cmd_schema(const std::string &config_path, bool apply, bool diff) {
    if (apply && diff) throw ConfigError("schema: --apply and --diff exclude each other");
    WorkerConfig cfg = load_worker_config(config_path);
    setup_logging(cfg.log.level, cfg.log.format);
    const Mapping mapping = Mapping::load(cfg.mapping_paths);
    if (!apply && !diff) {
        for (const auto &s : schema_sql(mapping)) std::cout << s << ";\n\n";
        return 0;
    }
    Database db(cfg.database);
    db.connect();
    if (diff) {
        const auto changes = diff_schema(db, mapping);
        size_t missing = 0, refused = 0;
        for (const SchemaChange &c : changes) {
            std::cout << describe_change(c) << "\n";
            missing += c.safe();
            refused += c.kind == SchemaChange::Kind::Refused;
        }
        db.commit();
        if (missing + refused == 0) {
            std::cout << "schema up to date: database " << cfg.database.name << " has every table, column and index "
                      << "the mappings need\n";
            return 0;
        }
        std::cout << "schema differs: database " << cfg.database.name << " lacks " << missing
                  << " thing(s) `schema --apply` adds; " << refused << " change(s) it refuses\n";
        return 1;
    }
    const SchemaReport r = apply_schema(db, mapping, std::cout);
    std::cout << "schema applied: " << r.tables << " table(s) present (" << r.created << " created), " << r.added
              << " column(s) added, " << r.renamed << " renamed, " << r.relaxed << " relaxed, " << r.widened
              << " widened, " << r.indexes << " index(es) added, " << r.refused << " change(s) refused in database "
              << cfg.database.name << "\n";
    return r.refused ? 1 : 0;
}

}  // namespace vsink
