package ebmigrate

import (
	"fmt"
	"slices"
	"strings"
)

// How a phase runs manage.py: the words of the user's migrate command before
// "migrate" (the program, an interpreter, a wrapper script), and Django's
// global options among the words after it, which every manage.py
// subcommand takes (Django's "django-admin and manage.py", "Default
// options": --settings and --pythonpath). The introspection and the
// before_deploy phase run manage.py's shell with them; after_deploy runs the
// command itself.

// migrateOptions are the options of Django's migrate that a phase allows
// after "migrate" (Django's migrate command reference and the default
// options): they change how it prints or whether it asks, never which
// migrations it applies. With a value: -v/--verbosity.
var migrateOptions = map[string]bool{
	"--noinput": true, "--no-input": true, "--skip-checks": true, "--traceback": true,
	"--no-color": true, "--force-color": true,
}

// globalOptions are manage.py's options that every subcommand takes; they
// are carried to the shell that the phases run. Each takes a value.
var globalOptions = []string{"--settings", "--pythonpath"}

// PhaseCommand reads a phase's manage.py from the user's migrate command
// (nil: the default, ./manage.py). query is the data source's command,
// which may also say --plan (it prints migrate's plan without a phase). It
// fails, naming the word at fault by its index (command values may be
// secrets), on a command that does not run migrate or that names what to
// migrate (an app, a migration, --database, --fake, ...): the phase decides
// which migrations run.
func PhaseCommand(command []string, query bool) (PhaseOptions, error) {
	var opts PhaseOptions
	if len(command) == 0 {
		return opts, nil
	}
	at := slices.Index(command, "migrate")
	if at < 1 {
		return opts, fmt.Errorf("with phase, command must run Django's migrate as a word of its own after how manage.py runs (for example [\"./manage.py\", \"migrate\", \"--noinput\"] or [\"python\", \"manage.py\", \"migrate\"]): the phase runs manage.py's shell with the same words to read the pending migrations, and migrate to apply them; %s", noMigrateWord(command, at))
	}
	opts.ManagePy = slices.Clone(command[:at])
	for i := at + 1; i < len(command); i++ {
		w := command[i]
		name, _, hasValue := strings.Cut(w, "=")
		switch {
		case migrateOptions[w], query && w == "--plan":
		case slices.Contains(globalOptions, name):
			if hasValue {
				opts.Options = append(opts.Options, w)
				continue
			}
			if i+1 == len(command) {
				return PhaseOptions{}, fmt.Errorf("command[%d] (%s) has no value", i, name)
			}
			opts.Options = append(opts.Options, w, command[i+1])
			i++
		case w == "-v" || w == "--verbosity":
			if i+1 == len(command) {
				return PhaseOptions{}, fmt.Errorf("command[%d] (%s) has no value", i, w)
			}
			i++
		case strings.HasPrefix(w, "--verbosity=") || strings.HasPrefix(w, "-v") && len(w) == 3:
		default:
			what := "an option that changes which migrations migrate applies, or where"
			if !strings.HasPrefix(w, "-") {
				what = "an app label or a migration name"
			}
			return PhaseOptions{}, fmt.Errorf("with phase, command[%d] is %s: the phase decides which migrations run, so command may give migrate only --noinput, -v/--verbosity, --skip-checks, --traceback, --no-color, --force-color, --settings and --pythonpath%s. "+
				"Remove it, or migrate without phase", i, what, map[bool]string{true: " (and --plan)", false: ""}[query])
		}
	}
	return opts, nil
}

func noMigrateWord(command []string, at int) string {
	if at == 0 {
		return "command[0] is migrate, with nothing before it to run manage.py"
	}
	return "command has no word migrate"
}

// ShellCommand is manage.py's shell running program: the phase's manage.py,
// "shell", its global options, -v 0 (so that Django 5.2's shell does not
// announce its automatic imports) and -c program.
func (o PhaseOptions) ShellCommand(program string) []string {
	argv := append(slices.Clone(orManagePy(o.ManagePy)), "shell")
	argv = append(argv, o.Options...)
	return append(argv, "-v", "0", "-c", program)
}

// MigrateCommand is manage.py migrate --noinput with the phase's manage.py
// and global options: after_deploy's command when none is configured.
func (o PhaseOptions) MigrateCommand() []string {
	argv := append(slices.Clone(orManagePy(o.ManagePy)), "migrate", "--noinput")
	return append(argv, o.Options...)
}

func orManagePy(p []string) []string {
	if len(p) == 0 {
		return DefaultManagePy
	}
	return p
}
