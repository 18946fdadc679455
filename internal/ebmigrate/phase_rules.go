package ebmigrate

import (
	"fmt"
	"strings"
)

// The rules: what each of Django's migration operations does to the code
// still serving (the old version) and to the code about to be deployed (the
// new one), from Django's own documentation of the operation ("Migration
// Operations", docs.djangoproject.com/en/stable/ref/migration-operations/)
// and of the schema editor that carries it out (ref/schema-editor/).

// Safety is when a migration may run, as its safe marker or the rules say;
// the words are django-safemigrate's.
type Safety string

const (
	// SafeBeforeDeploy must run before the deploy: the new code needs it and
	// the old code is not harmed by it.
	SafeBeforeDeploy Safety = "before_deploy"
	// SafeAlways harms neither version: it runs before the deploy, unless it
	// depends on a migration that runs after.
	SafeAlways Safety = "always"
	// SafeAfterDeploy breaks the old code: it runs once the deploy has
	// replaced it.
	SafeAfterDeploy Safety = "after_deploy"
)

// later tells which of two safeties holds back a migration more.
func later(a, b Safety) bool {
	rank := map[Safety]int{SafeAlways: 0, SafeBeforeDeploy: 1, SafeAfterDeploy: 2}
	return rank[a] > rank[b]
}

// Verdict is what the rules say of one operation.
type Verdict struct {
	Safety Safety
	// Operation names it: "AddField note to shop.product".
	Operation string
	// Why says what it does to the code of either version.
	Why string
	// Hazard says what no phase makes safe ("" when nothing).
	Hazard string
	// Doc is Django's documentation of the operation.
	Doc string
}

const (
	operationsDoc = "https://docs.djangoproject.com/en/stable/ref/migration-operations/#"
	postgresDoc   = "https://docs.djangoproject.com/en/stable/ref/contrib/postgres/operations/#"
)

// ruleContext is what the rules know beyond the operation.
type ruleContext struct {
	app string
	// newModels are the models (app.model) a pending migration creates,
	// with that migration: the old code does not use their tables.
	newModels map[string]string
	// code is the safety of RunPython and RunSQL.
	code Safety
}

// kind is the operation's nearest class among those the rules know (a
// project's subclass of AddField is an AddField).
func (op OperationFacts) kind() string {
	for _, c := range op.Lineage {
		if _, ok := ruleDocs[c]; ok {
			return c
		}
	}
	return ""
}

// ruleDocs maps each operation the rules know to its documentation.
var ruleDocs = map[string]string{}

func init() {
	for _, k := range []string{"CreateModel", "DeleteModel", "RenameModel", "AlterModelTable", "AlterModelTableComment",
		"AlterUniqueTogether", "AlterIndexTogether", "AlterOrderWithRespectTo", "AlterModelOptions", "AlterModelManagers",
		"AddField", "RemoveField", "AlterField", "RenameField", "AddIndex", "RemoveIndex", "RenameIndex",
		"AddConstraint", "RemoveConstraint", "RunSQL", "RunPython", "SeparateDatabaseAndState"} {
		ruleDocs[k] = operationsDoc + strings.ToLower(k)
	}
	for _, k := range []string{"CreateExtension", "AddIndexConcurrently", "RemoveIndexConcurrently", "AddConstraintNotValid",
		"ValidateConstraint", "CreateCollation", "RemoveCollation"} {
		ruleDocs[k] = postgresDoc + strings.ToLower(k)
	}
}

// judge applies the rules to one operation.
func judge(op OperationFacts, c *ruleContext) Verdict {
	kind := op.kind()
	v := Verdict{Operation: describeOperation(op, kind, c.app), Doc: ruleDocs[kind]}
	set := func(s Safety, format string, args ...any) Verdict {
		v.Safety, v.Why = s, fmt.Sprintf(format, args...)
		return v
	}
	table := c.app + "." + op.Model
	switch {
	case op.Error != "":
		return set(SafeAfterDeploy, "its facts could not be read (%s), so it is treated as breaking the old code", op.Error)
	case op.Truncated:
		return set(SafeAfterDeploy, "its facts were too long to read whole, so it is treated as breaking the old code")
	case op.DB != nil && !*op.DB:
		// Operation.allow_migrate_model: an unmanaged or proxy model, or one
		// a router keeps off this database, is never touched.
		return set(SafeAlways, "it changes nothing in this database (an unmanaged or proxy model, or one a database router sends elsewhere)")
	case op.Model != "" && c.newModels[table] != "" && kind != "CreateModel":
		return set(SafeBeforeDeploy, "table %s is new in this release (%s creates it): the old code does not use it", table, c.newModels[table])
	}
	switch kind {
	case "CreateModel":
		// "Creates a new model in the project history and a corresponding
		// table in the database to match it."
		return set(SafeBeforeDeploy, "it creates table %s, which the old code does not use", op.Table)
	case "DeleteModel":
		// "Deletes the model from the project history and its table from the database."
		return set(SafeAfterDeploy, "it drops table %s, which the old code may read", op.Table)
	case "RenameModel", "AlterModelTable":
		// RenameModel renames the table unless db_table keeps it; AlterModelTable
		// "Changes the model's table name".
		if op.OldTable == op.NewTable {
			return set(SafeAlways, "the table keeps its name %s", op.OldTable)
		}
		v.Hazard = fmt.Sprintf("The new code queries table %s and fails until after_deploy renames it: rename in two releases, or keep the table's name with Meta.db_table.", op.NewTable)
		return set(SafeAfterDeploy, "it renames table %s to %s, which the old code queries by its old name", op.OldTable, op.NewTable)
	case "AlterModelOptions", "AlterModelManagers", "AlterModelTableComment", "AlterIndexTogether":
		// AlterModelOptions "Does not affect the database"; managers and a
		// table comment are not read by queries; index_together makes indexes,
		// which reject no query.
		return set(SafeAlways, "it changes nothing either version's queries depend on")
	case "AlterUniqueTogether":
		// "Changes the model's set of unique constraints".
		switch {
		case op.Added > 0:
			return set(SafeAfterDeploy, "it adds a unique constraint, which may reject rows the old code writes")
		case op.Removed > 0:
			return set(SafeBeforeDeploy, "it drops a unique constraint, which may reject rows the new code writes")
		}
		return set(SafeAlways, "it leaves the unique constraints as they are")
	case "AlterOrderWithRespectTo":
		// "Makes or deletes the _order column": made NOT NULL with a
		// Python-side default of 0, as AddField makes such a column.
		switch {
		case op.NewOrder && !op.OldOrder:
			v.Hazard = "The new code reads the _order column and fails until after_deploy adds it: no phase is safe for this operation."
			return set(SafeAfterDeploy, "it adds the NOT NULL column _order without a database default, so the old code's inserts fail")
		case op.OldOrder && !op.NewOrder:
			return set(SafeAfterDeploy, "it drops the column _order, which the old code reads")
		}
		return set(SafeAlways, "it leaves the _order column as it is")
	case "AddField":
		return addField(op, set, &v)
	case "RemoveField":
		return removeField(op, set, &v)
	case "AlterField":
		return alterField(op, set, &v)
	case "RenameField":
		// "Changes a field's name (and, unless db_column is set, its column name)."
		if op.OldColumn == op.NewColumn {
			return set(SafeAlways, "the column keeps its name %s (db_column)", op.OldColumn)
		}
		v.Hazard = fmt.Sprintf("The new code queries column %s and fails until after_deploy renames it: rename in two releases (add the new column and copy, then drop the old one), or keep the column with db_column.", op.NewColumn)
		return set(SafeAfterDeploy, "it renames column %s to %s, which the old code queries by its old name", op.OldColumn, op.NewColumn)
	case "AddIndex", "RemoveIndex", "RenameIndex", "AddIndexConcurrently", "RemoveIndexConcurrently":
		return set(SafeAlways, "an index rejects no query and no query needs one to be correct")
	case "AddConstraint", "AddConstraintNotValid":
		return set(SafeAfterDeploy, "the new %s may reject rows the old code writes", orDefault(op.ConstraintKind, "constraint"))
	case "RemoveConstraint":
		return set(SafeBeforeDeploy, "it drops %s %s, which may reject rows the new code writes", orDefault(op.ConstraintKind, "constraint"), op.Constraint)
	case "ValidateConstraint":
		return set(SafeAlways, "it checks existing rows against a constraint that new rows already meet")
	case "CreateExtension", "CreateCollation":
		return set(SafeBeforeDeploy, "the new code may need what it installs, and the old code does not use it")
	case "RemoveCollation":
		return set(SafeAfterDeploy, "it removes a collation the old code's columns may use")
	case "RunSQL", "RunPython":
		// "Allows running of arbitrary SQL" / "Runs custom Python code": what it
		// does is not declared, so it follows the configured default.
		if op.Noop {
			return set(SafeAlways, "it does nothing (%s.noop)", kind)
		}
		return set(c.code, "what its code does is not declared: RunPython and RunSQL follow the configured default (%s)", c.code)
	case "SeparateDatabaseAndState":
		return separate(op, c, set, &v)
	}
	return set(SafeAfterDeploy, "%s is not an operation the rules know (%s), so it is treated as breaking the old code; mark the migration with django-safemigrate's safe if it is safe while the old version serves", op.Class, op.Module)
}

// separate: SeparateDatabaseAndState applies only its database operations
// to the database ("when asked to apply changes to the database will use the
// database list").
func separate(op OperationFacts, c *ruleContext, set setter, v *Verdict) Verdict {
	if len(op.Database) == 0 {
		return set(SafeAlways, "it changes the project state only, not the database")
	}
	worst := judge(op.Database[0], c)
	for _, inner := range op.Database[1:] {
		if w := judge(inner, c); later(w.Safety, worst.Safety) {
			worst = w
		}
	}
	v.Hazard = worst.Hazard
	return set(worst.Safety, "its database operation %s: %s", worst.Operation, worst.Why)
}

// describeOperation names an operation: "AddField note to shop.product".
func describeOperation(op OperationFacts, kind, app string) string {
	model := app + "." + op.Model
	switch kind {
	case "CreateModel", "DeleteModel", "AlterModelTable", "AlterModelTableComment", "AlterModelOptions", "AlterModelManagers",
		"AlterUniqueTogether", "AlterIndexTogether", "AlterOrderWithRespectTo":
		return op.Class + " " + model
	case "RenameModel":
		return fmt.Sprintf("%s %s to %s.%s", op.Class, model, app, op.NewModel)
	case "AddField":
		return fmt.Sprintf("%s %s to %s", op.Class, op.Field, model)
	case "RemoveField":
		return fmt.Sprintf("%s %s from %s", op.Class, op.Field, model)
	case "AlterField":
		return fmt.Sprintf("%s %s on %s", op.Class, op.Field, model)
	case "RenameField":
		return fmt.Sprintf("%s %s on %s to %s", op.Class, op.Field, model, op.NewField)
	case "AddIndex", "RemoveIndex", "RenameIndex", "AddIndexConcurrently", "RemoveIndexConcurrently":
		return fmt.Sprintf("%s %s on %s", op.Class, op.Index, model)
	case "AddConstraint", "RemoveConstraint", "AddConstraintNotValid", "ValidateConstraint":
		return fmt.Sprintf("%s %s on %s", op.Class, op.Constraint, model)
	case "RunPython":
		return op.Class + " " + op.Code
	case "RunSQL":
		return fmt.Sprintf("%s %q", op.Class, op.SQL)
	}
	if op.Model != "" {
		return op.Class + " on " + model
	}
	return op.Class
}

// noteModels records the tables an operation creates or renames.
func (c *ruleContext) noteModels(op OperationFacts, migration string) {
	table := c.app + "." + op.Model
	switch op.kind() {
	case "CreateModel":
		if op.DB == nil || *op.DB {
			c.newModels[table] = migration
		}
	case "RenameModel":
		if m := c.newModels[table]; m != "" {
			c.newModels[c.app+"."+op.NewModel] = m
		}
	case "SeparateDatabaseAndState":
		for _, inner := range op.Database {
			c.noteModels(inner, migration)
		}
	}
}
