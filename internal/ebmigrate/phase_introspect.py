# The pending migrations of a Django project, read from the migrations
# themselves for terraform-provider-ebmigrate's phases (phase_introspect.go).
#
# Run in the app's container as: ./manage.py shell -v 0 -c "<this program>"
# (Django 2.2 to 5.x). Read-only: it loads the migrations and the applied ones
# (the django_migrations table) as migrate does, and writes nothing.
#
# Output: one line per pending migration and one per operation, in the order
# migrate applies them, each "ebmigrate.phases.v1 " + JSON, then an end line
# with the counts (a reader that misses a line knows it). Other lines (a
# project's own warnings) are not part of it. Every fact comes from the
# migration and the project state before and after the operation, as
# Migration.apply computes them; free text (SQL, errors) is cut short.
#
# Everything lives inside one function: Django 2.2's shell runs the program
# with exec(code) inside a method, where top-level functions would not see
# each other; a closure's names always resolve.


def _ebmigrate_phases():
    import enum
    import json
    import sys
    import zlib

    import django
    from django.core.management.commands.migrate import Command as MigrateCommand
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.models.fields import NOT_PROVIDED

    prefix = "ebmigrate.phases.v1 "
    max_text = 160
    max_line = 1900
    known_safe = ("before_deploy", "after_deploy", "always")
    django_modules = ("django.db.migrations.operations", "django.contrib.postgres.operations")
    connection = connections[DEFAULT_DB_ALIAS]
    missing = object()

    def text(value):
        value = " ".join(str(value).split())
        return value if len(value) <= max_text else value[:max_text] + "..."

    def emit(rec):
        line = json.dumps(rec, sort_keys=True, separators=(",", ":"))
        if len(line) > max_line:
            # Bounded: keep what identifies the record; the reader treats a
            # record without its facts as unknown.
            keep = ("t", "m", "path", "op", "module", "mro", "model", "field", "seq", "app", "name", "deps", "ops", "safe", "db", "database", "describe")
            rec = {k: rec[k] for k in keep if k in rec}
            rec["truncated"] = True
            line = json.dumps(rec, sort_keys=True, separators=(",", ":"))
        sys.stdout.write(prefix + line + "\n")

    def safe_marker(migration):
        # django-safemigrate's "safe" attribute, in each spelling it has had:
        # True/False (1.0), members of the Enum Safe (2.0 to 4.x), instances of
        # the dataclass Safe with "when" (5.0; "safe" in its first 5.0 code)
        # and an optional delay, and the classmethods uncalled (5.0 accepts
        # Safe.before_deploy as Safe.before_deploy()).
        safe = getattr(migration, "safe", missing)
        if safe is missing:
            return None
        if safe is True:
            return {"value": "before_deploy", "spelling": "True"}
        if safe is False:
            return {"value": "after_deploy", "spelling": "False"}
        owner = getattr(safe, "__self__", None)
        name = getattr(safe, "__name__", "")
        if callable(safe) and isinstance(owner, type) and owner.__name__ == "Safe" and name in known_safe:
            return {"value": name, "spelling": "Safe.%s" % name}
        if type(safe).__name__ == "Safe":
            if isinstance(safe, enum.Enum):
                rec = {"value": safe.value, "spelling": "Safe.%s" % safe.name}
            else:
                when = getattr(safe, "when", None) or getattr(safe, "safe", None)
                rec = {"value": getattr(when, "value", None)}
                rec["spelling"] = "Safe.%s()" % rec["value"]
                delay = getattr(safe, "delay", None)
                if delay is not None:
                    rec["delay_s"] = delay.total_seconds()
            if rec["value"] in known_safe:
                return rec
        return {"invalid": text("%s.%s" % (type(safe).__module__, type(safe).__qualname__))}

    def lineage(op):
        names = []
        for cls in type(op).__mro__:
            if cls.__module__.startswith(django_modules) and cls.__name__ not in names:
                names.append(cls.__name__)
        return names[:6]

    def field_facts(model, name):
        f = model._meta.get_field(name)
        params = f.db_parameters(connection=connection)
        d = {
            "column": f.column,
            "type": params.get("type"),
            "null": bool(f.null),
            "m2m": bool(f.many_to_many),
            "pk": bool(f.primary_key),
            "unique": bool(f.unique),
            "index": bool(f.db_index),
            "default": bool(f.has_default()),
            "db_default": getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED,
        }
        if params.get("check"):
            d["check"] = text(params["check"])
        if getattr(f, "generated", False):
            d["generated"] = True
        if getattr(f, "db_collation", None):
            d["collation"] = text(f.db_collation)
        if getattr(f, "db_comment", None):
            d["comment"] = zlib.crc32(f.db_comment.encode())
        if f.remote_field is not None and not f.many_to_many:
            d["fk"] = f.remote_field.model._meta.label_lower
            d["db_constraint"] = bool(getattr(f, "db_constraint", True))
        return d

    def together(state, app, model, option):
        from django.db.models.options import normalize_together

        return set(normalize_together(state.models[app, model].options.get(option) or ()))

    def details(op, kinds, app, before, after):
        rec = {}

        def model_of(state, name):
            return state.apps.get_model(app, name)

        def allow(model):
            rec["db"] = bool(op.allow_migrate_model(connection.alias, model))

        kind = next((k for k in kinds if k not in ("Operation", "ModelOperation", "FieldOperation", "ModelOptionOperation", "IndexOperation", "AlterTogetherOptionOperation")), "Operation")
        if kind == "CreateModel":
            rec["model"] = op.name_lower
            model = model_of(after, op.name_lower)
            rec["table"] = model._meta.db_table
            allow(model)
        elif kind == "DeleteModel":
            rec["model"] = op.name_lower
            model = model_of(before, op.name_lower)
            rec["table"] = model._meta.db_table
            allow(model)
        elif kind == "RenameModel":
            rec["model"] = op.old_name_lower
            rec["new_model"] = op.new_name_lower
            rec["old_table"] = model_of(before, op.old_name_lower)._meta.db_table
            model = model_of(after, op.new_name_lower)
            rec["new_table"] = model._meta.db_table
            allow(model)
        elif kind in ("AlterModelTable", "AlterModelTableComment", "AlterModelOptions", "AlterModelManagers", "AlterOrderWithRespectTo", "AlterUniqueTogether", "AlterIndexTogether"):
            rec["model"] = op.name_lower
            old, new = model_of(before, op.name_lower), model_of(after, op.name_lower)
            allow(new)
            if kind == "AlterModelTable":
                rec["old_table"], rec["new_table"] = old._meta.db_table, new._meta.db_table
            elif kind == "AlterOrderWithRespectTo":
                rec["old_order"] = old._meta.order_with_respect_to is not None
                rec["new_order"] = new._meta.order_with_respect_to is not None
            elif kind in ("AlterUniqueTogether", "AlterIndexTogether"):
                was, now = together(before, app, op.name_lower, op.option_name), together(after, app, op.name_lower, op.option_name)
                rec["added"], rec["removed"] = len(now - was), len(was - now)
        elif kind in ("AddField", "RemoveField", "AlterField", "RenameField"):
            rec["model"] = op.model_name_lower
            old, new = model_of(before, op.model_name_lower), model_of(after, op.model_name_lower)
            if kind == "RenameField":
                rec["field"] = op.old_name_lower
                rec["new_field"] = op.new_name_lower
                rec["old_column"] = old._meta.get_field(op.old_name).column
                rec["new_column"] = new._meta.get_field(op.new_name).column
                allow(new)
                return rec
            rec["field"] = op.name_lower
            if kind != "AddField":
                rec["old"] = field_facts(old, op.name)
            if kind != "RemoveField":
                rec["new"] = field_facts(new, op.name)
            allow(old if kind == "RemoveField" else new)
            if kind == "AlterField":
                editor = connection.schema_editor()
                if hasattr(editor, "_field_should_be_altered"):
                    rec["db_change"] = bool(editor._field_should_be_altered(old._meta.get_field(op.name), new._meta.get_field(op.name)))
        elif kind in ("AddIndex", "RemoveIndex", "RenameIndex", "AddConstraint", "RemoveConstraint"):
            rec["model"] = op.model_name_lower
            model = model_of(after, op.model_name_lower)
            allow(model)
            if kind == "AddIndex":
                rec["index"] = op.index.name
            elif kind == "RenameIndex":
                rec["index"] = op.new_name
            elif kind == "RemoveIndex":
                rec["index"] = op.name
            elif kind == "AddConstraint":
                rec["constraint"] = op.constraint.name
                rec["constraint_kind"] = type(op.constraint).__name__
            else:
                rec["constraint"] = op.name
                found = [c for c in model_of(before, op.model_name_lower)._meta.constraints if c.name == op.name]
                if found:
                    rec["constraint_kind"] = type(found[0]).__name__
        elif kind == "RunSQL":
            sql = op.sql
            if isinstance(sql, (list, tuple)):
                sql = "; ".join(s if isinstance(s, str) else str(s[0]) for s in sql)
            rec["noop"] = not str(sql).strip()
            rec["sql"] = text(sql)
        elif kind == "RunPython":
            rec["noop"] = op.code is op.noop
            rec["code"] = text("%s.%s" % (getattr(op.code, "__module__", "?"), getattr(op.code, "__qualname__", type(op.code).__name__)))
        elif kind == "SeparateDatabaseAndState":
            rec["database"] = len(op.database_operations)
        return rec

    def describe(op, app, before, after, label, path):
        kinds = lineage(op)
        rec = {"t": "op", "m": label, "path": path, "op": type(op).__name__, "module": type(op).__module__, "mro": kinds}
        try:
            rec.update(details(op, kinds, app, before, after))
        except Exception as e:  # a fact that cannot be read leaves the operation unknown
            rec["error"] = text("%s: %s" % (type(e).__name__, e))
        if len(path) == 1:
            # migrate --plan's words for it (Django 2.2+: its own method).
            try:
                said = MigrateCommand.describe_operation(op, False)
                rec["describe"] = text(said[0] if isinstance(said, tuple) else said)
            except Exception:
                rec["describe"] = type(op).__name__
        emit(rec)
        count = 1
        if "SeparateDatabaseAndState" in kinds:
            # Its database operations, each from the state before it, as
            # SeparateDatabaseAndState.database_forwards applies them.
            state = before
            for j, inner in enumerate(op.database_operations):
                nxt = state.clone()
                inner.state_forwards(app, nxt)
                count += describe(inner, app, state, nxt, label, path + [j])
                state = nxt
        return count

    executor = MigrationExecutor(connection)
    conflicts = executor.loader.detect_conflicts()
    if conflicts:
        names = "; ".join("%s in %s" % (", ".join(sorted(v)), k) for k, v in sorted(conflicts.items()))
        sys.stderr.write("Conflicting migrations detected; multiple leaf nodes in the migration graph: (%s).\n" % names)
        sys.exit(1)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = set((m.app_label, m.name) for m, _ in plan)
    try:
        from importlib.metadata import version

        safemigrate = version("django-safemigrate")
    except Exception:
        safemigrate = ""
    emit({"t": "start", "django": django.get_version(), "vendor": connection.vendor, "safemigrate": safemigrate, "pending": len(plan)})
    state = executor._create_project_state(with_applied_migrations=True)
    state.apps  # rendered once, as MigrationExecutor.migrate does
    ops = 0
    for seq, (migration, backwards) in enumerate(plan):
        app = migration.app_label
        label = "%s.%s" % (app, migration.name)
        node = executor.loader.graph.node_map[(app, migration.name)]
        rec = {
            "t": "migration", "seq": seq, "app": app, "name": migration.name,
            "deps": sorted("%s.%s" % p.key for p in node.parents if p.key in pending),
            "ops": len(migration.operations), "atomic": bool(getattr(migration, "atomic", True)),
        }
        marker = safe_marker(migration)
        if marker:
            rec["safe"] = marker
        emit(rec)
        for i, op in enumerate(migration.operations):
            before = state.clone()
            op.state_forwards(app, state)
            ops += describe(op, app, before, state, label, [i])
    emit({"t": "end", "migrations": len(plan), "ops": ops})
    sys.stdout.flush()


_ebmigrate_phases()
