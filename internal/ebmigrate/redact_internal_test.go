package ebmigrate

import "testing"

func TestRedactor(t *testing.T) {
	r := newRedactor(&Target{Properties: map[string]string{
		"DATABASE_URL": "postgres://app:pa55word@db/app",
		"PASSWORD":     "pa55word",
		"DEBUG":        "false",
		"CERT":         "-----BEGIN-----\nMIIBsecretline\n-----END-----",
	}}, map[string]string{"TOKEN": "tok-123456"})
	for in, want := range map[string]string{
		"url postgres://app:pa55word@db/app": "url " + Redacted,
		"password pa55word, debug false":     "password " + Redacted + ", debug false",
		"  MIIBsecretline":                   "  " + Redacted,
		"token=tok-123456":                   "token=" + Redacted,
		"Applying shop.0001_initial... OK":   "Applying shop.0001_initial... OK",
	} {
		if got := r.line(in); got != want {
			t.Errorf("line(%q) = %q, want %q", in, got, want)
		}
	}
	if newRedactor(&Target{Properties: map[string]string{"DEBUG": "1"}}, nil) != nil {
		t.Error("only short values, yet a redactor")
	}
	var none *redactor
	if got := none.line("x"); got != "x" {
		t.Errorf("nil redactor changed the line: %q", got)
	}
}

// TestCommandValues: the command's words that may be values (Terraform
// strips sensitivity marks, so the provider cannot know which came from a
// sensitive variable) are redacted like the environment's values; the
// program, subcommands, flags and names (app labels, migration names, files)
// are not, so that "Applying shop.0003_remove_sku... OK" stays readable.
func TestCommandValues(t *testing.T) {
	argv := []string{"./manage.py", "migrate", "shop", "0003_remove_sku", "--database=replica", "--settings=config.settings.prod",
		"--url=postgres://app:S3cret@db/app", "Xk9-TOKEN-2f", "--noinput"}
	got := CommandValues(argv)
	want := []string{"--url=postgres://app:S3cret@db/app", "postgres://app:S3cret@db/app", "Xk9-TOKEN-2f"}
	if len(got) != len(want) {
		t.Fatalf("CommandValues = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("CommandValues[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	r := newRedactor(nil, nil, got...)
	for in, out := range map[string]string{
		"connecting to postgres://app:S3cret@db/app": "connecting to " + Redacted,
		"token Xk9-TOKEN-2f accepted":                "token " + Redacted + " accepted",
		"Applying shop.0003_remove_sku... OK":        "Applying shop.0003_remove_sku... OK",
	} {
		if r.line(in) != out {
			t.Errorf("line(%q) = %q, want %q", in, r.line(in), out)
		}
	}
}
