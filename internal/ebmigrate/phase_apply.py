# Applies exactly the migrations of a before_deploy phase (phase_run.go), in
# the app's container: ./manage.py shell -v 0 -c "<this program>".
#
# It migrates to each target with Django's own migrate command (its signals
# and output as usual), after checking that doing so applies no migration
# the plan did not put in the phase: a migration added, or a database
# changed, since the plan stops it before anything is applied. A target
# applied already is passed over (migrate to an applied target would unapply
# the migrations after it).


def _ebmigrate_apply():
    allowed = set(__EBMIGRATE_ALLOWED__)
    targets = [tuple(t.split(".", 1)) for t in __EBMIGRATE_TARGETS__]

    import sys

    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    applied = set(executor.loader.applied_migrations)
    unknown = ["%s.%s" % t for t in targets if t not in executor.loader.graph.nodes]
    if unknown:
        sys.stderr.write("ebmigrate: %s is not among this version's migrations; nothing was applied. Plan and apply again.\n" % ", ".join(unknown))
        sys.exit(3)
    targets = [t for t in targets if t not in applied]
    plan = executor.migration_plan(targets) if targets else []
    extra = ["%s.%s" % (m.app_label, m.name) for m, backwards in plan if backwards or "%s.%s" % (m.app_label, m.name) not in allowed]
    if extra:
        sys.stderr.write("ebmigrate: the before_deploy phase would also apply %s, which the plan did not put in it; nothing was applied. Plan and apply again.\n" % ", ".join(extra))
        sys.exit(3)
    names = ", ".join("%s.%s" % (m.app_label, m.name) for m, _ in plan)
    print("ebmigrate: before_deploy applies %s" % (names or "none left: every migration of the phase is applied already"))
    for app, name in targets:
        call_command("migrate", app, name, interactive=False)


_ebmigrate_apply()
