package ebmigrate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/ebmigrate"
)

// TestPhaseCommand: a phase takes manage.py and its global options from the
// user's migrate command, and refuses one that says which migrations to run.
func TestPhaseCommand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		command        []string
		query          bool
		managePy, opts []string
		err            string
	}{
		{nil, false, nil, nil, ""},
		{[]string{"./manage.py", "migrate", "--noinput"}, false, []string{"./manage.py"}, nil, ""},
		{[]string{"python", "src/manage.py", "migrate", "--no-input", "-v", "2", "--traceback"}, false, []string{"python", "src/manage.py"}, nil, ""},
		{[]string{"./manage.py", "migrate", "--settings=shop.prod", "--pythonpath", "/app/src", "-v2", "--verbosity=0"}, false, []string{"./manage.py"}, []string{"--settings=shop.prod", "--pythonpath", "/app/src"}, ""},
		{[]string{"./manage.py", "migrate", "--plan"}, true, []string{"./manage.py"}, nil, ""},
		{[]string{"./manage.py", "migrate", "--plan"}, false, nil, nil, "command[2] is an option that changes which migrations"},
		{[]string{"./manage.py", "migrate", "shop", "0002"}, false, nil, nil, "command[2] is an app label or a migration name"},
		{[]string{"./manage.py", "migrate", "--database", "replica"}, false, nil, nil, "command[2] is an option"},
		{[]string{"./manage.py", "migrate", "--fake"}, false, nil, nil, "command[2] is an option"},
		{[]string{"./manage.py", "migrate", "--settings"}, false, nil, nil, "command[2] (--settings) has no value"},
		{[]string{"sh", "-c", "./manage.py migrate"}, false, nil, nil, "command has no word migrate"},
		{[]string{"migrate"}, false, nil, nil, "command[0] is migrate, with nothing before it"},
	} {
		opts, err := ebmigrate.PhaseCommand(tc.command, tc.query)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one with %q", tc.command, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.command, err)
		case tc.err == "" && (!slices.Equal(opts.ManagePy, tc.managePy) || !slices.Equal(opts.Options, tc.opts)):
			t.Errorf("%q: manage.py %q, options %q; want %q, %q", tc.command, opts.ManagePy, opts.Options, tc.managePy, tc.opts)
		}
	}
	opts := ebmigrate.PhaseOptions{ManagePy: []string{"python", "manage.py"}, Options: []string{"--settings=shop.prod"}}
	if got := opts.ShellCommand("print(1)"); !slices.Equal(got, []string{"python", "manage.py", "shell", "--settings=shop.prod", "-v", "0", "-c", "print(1)"}) {
		t.Errorf("shell command %q", got)
	}
	if got := opts.MigrateCommand(); !slices.Equal(got, []string{"python", "manage.py", "migrate", "--noinput", "--settings=shop.prod"}) {
		t.Errorf("migrate command %q", got)
	}
}
