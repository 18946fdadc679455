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
