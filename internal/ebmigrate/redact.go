package ebmigrate

import (
	"regexp"
	"sort"
	"strings"
)

// Redacted replaces a secret value in a line the migration printed.
const Redacted = "(sensitive value)"

// MinRedactedLen is the shortest value that is redacted from the
// migration's output. Shorter values ("1", "true", "false", a port) are
// not secrets one can keep, and replacing them would garble every line
// that happens to hold them ("Applying shop.0001…").
const MinRedactedLen = 6

// redactor replaces the environment's values in the migration's output
// lines before they reach the provider log, a diagnostic or the state:
// a migration may echo a setting (a database URL with its password).
// nil redacts nothing.
type redactor struct{ r *strings.Replacer }

// newRedactor redacts the Elastic Beanstalk environment properties' values,
// the values of the resource's environment argument, and more values (the
// command's, CommandValues). Secrets that ECS resolves (environmentsecrets,
// valueFrom) never pass through the provider, so they cannot be recognised
// here.
func newRedactor(t *Target, user map[string]string, more ...string) *redactor {
	seen := map[string]bool{}
	var values []string
	add := func(v string) {
		// A value over several lines reaches the log a line at a time.
		for _, part := range strings.Split(v, "\n") {
			part = strings.TrimSpace(part)
			if len(part) >= MinRedactedLen && !seen[part] {
				seen[part] = true
				values = append(values, part)
			}
		}
	}
	if t != nil {
		for _, v := range t.Properties {
			add(v)
		}
	}
	for _, v := range user {
		add(v)
	}
	for _, v := range more {
		add(v)
	}
	if len(values) == 0 {
		return nil
	}
	// The Replacer tries its pairs in argument order at each position:
	// longest first, so that a value holding another is replaced whole.
	sort.Slice(values, func(i, j int) bool {
		if len(values[i]) != len(values[j]) {
			return len(values[i]) > len(values[j])
		}
		return values[i] < values[j]
	})
	pairs := make([]string, 0, 2*len(values))
	for _, v := range values {
		pairs = append(pairs, v, Redacted)
	}
	return &redactor{r: strings.NewReplacer(pairs...)}
}

func (r *redactor) line(s string) string {
	if r == nil {
		return s
	}
	return r.r.Replace(s)
}

// plainCommandWord is a command word that names, never holds, a value: a
// program, subcommand or flag (no digits, "=", "/", "@" or spaces).
var plainCommandWord = regexp.MustCompile(`^(--?)?[a-z][a-z_:-]{0,30}$`)

// IsPlainCommandWord tells whether a command word is a subcommand or flag
// that may be shown; any other word may be a value.
func IsPlainCommandWord(w string) bool { return plainCommandWord.MatchString(w) }

// nameLike is a command word that names a thing rather than holds a
// value: an app label, a migration name, a file or a settings module
// (lowercase letters, digits, "_" and ".").
var nameLike = regexp.MustCompile(`^[a-z0-9_.]+$`)

// CommandValues are the words of a command that may be values, redacted
// from its output as the environment's values are: Terraform does not tell
// a provider which of its arguments came from a sensitive value (it strips
// the marks before sending them), so every word that is neither a plain
// subcommand or flag nor a name (nameLike: "shop", "0003_remove_sku",
// "manage.py") counts as one, and so does the value of a --flag=value word.
// The program (the first word) does not.
func CommandValues(argv []string) []string {
	var out []string
	for i, w := range argv {
		if i == 0 || IsPlainCommandWord(w) || nameLike.MatchString(w) {
			continue
		}
		flag, value, isFlag := strings.Cut(w, "=")
		if isFlag && strings.HasPrefix(flag, "-") {
			if nameLike.MatchString(value) {
				continue // --database=replica
			}
			out = append(out, w, value)
			continue
		}
		out = append(out, w)
	}
	return out
}
