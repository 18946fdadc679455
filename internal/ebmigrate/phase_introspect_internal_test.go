package ebmigrate

import (
	"strings"
	"testing"
)

// introspected is an introspection's output for one migration of app myshop
// with a RunSQL whose text holds an environment value and a
// SeparateDatabaseAndState with one database operation.
func introspected(extra ...string) []string {
	p := IntrospectPrefix
	return append([]string{
		p + `{"t":"start","django":"3.2.25","vendor":"sqlite","safemigrate":""}`,
		p + `{"t":"migration","seq":0,"app":"myshop","name":"0002_seed","deps":[],"ops":2,"atomic":true}`,
		p + `{"t":"op","m":"myshop.0002_seed","path":[0],"op":"RunSQL","mro":["RunSQL","Operation"],"sql":"UPDATE t SET token = 'tok-123456789'","noop":false}`,
		p + `{"t":"op","m":"myshop.0002_seed","path":[1],"op":"SeparateDatabaseAndState","mro":["SeparateDatabaseAndState","Operation"],"database":1}`,
		p + `{"t":"op","m":"myshop.0002_seed","path":[1,0],"op":"AddField","mro":["AddField"],"model":"item","field":"x","db":true,"new":{"column":"x","null":true}}`,
		p + `{"t":"end","migrations":1,"ops":3}`,
	}, extra...)
}

// Free text is redacted where it is shown; names, which come from the code,
// are not (an app named like a value would otherwise vanish).
func TestIntrospectionRedaction(t *testing.T) {
	r := newRedactor(&Target{Properties: map[string]string{"API_TOKEN": "tok-123456789", "DB_NAME": "myshop"}}, nil)
	in, err := parseIntrospection(introspected(), r.line)
	if err != nil {
		t.Fatal(err)
	}
	m := in.Migrations[0]
	if m.Label() != "myshop.0002_seed" || len(m.Operations) != 2 || len(m.Operations[1].Database) != 1 {
		t.Fatalf("parsed %+v", m)
	}
	if sql := m.Operations[0].SQL; strings.Contains(sql, "tok-123456789") || !strings.Contains(sql, Redacted) {
		t.Errorf("SQL shown as %q", sql)
	}
	plan, err := ClassifyPhases(in, PhaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if why := plan.Migrations[0].Why; strings.Contains(why, "tok-123456789") {
		t.Errorf("the value reached Why: %s", why)
	}
}

// Output that is not whole, or not the introspection's, is an error: a
// list that may miss a migration is never taken for the truth.
func TestIntrospectionIncomplete(t *testing.T) {
	whole := introspected()
	cases := map[string][]string{
		"no start":             whole[1:],
		"no end":               whole[:len(whole)-1],
		"a nested op missing":  append(append([]string{}, whole[:4]...), whole[5:]...),
		"an op missing":        append(append([]string{}, whole[:2]...), whole[3:]...),
		"unreadable line":      introspected(IntrospectPrefix + `{"t":`),
		"unknown kind":         introspected(IntrospectPrefix + `{"t":"extra"}`),
		"listed twice":         introspected(whole[1]),
		"unknown dependency":   {whole[0], strings.Replace(whole[1], `"deps":[]`, `"deps":["other.0001_x"]`, 1), whole[2], whole[3], whole[4], whole[5]},
		"not a migration name": {whole[0], strings.Replace(whole[1], `"app":"myshop"`, `"app":"my shop"`, 1), whole[5]},
	}
	for name, lines := range cases {
		if _, err := ParseIntrospection(lines); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// What cannot be read is not assumed harmless.
func TestUnreadableOperationIsAfterDeploy(t *testing.T) {
	c := &ruleContext{app: "shop", newModels: map[string]string{}, code: SafeBeforeDeploy}
	for _, op := range []OperationFacts{
		{Class: "AddField", Lineage: []string{"AddField"}, Truncated: true},
		{Class: "AddField", Lineage: []string{"AddField"}, Error: "KeyError: x"},
		{Class: "AlterField", Lineage: []string{"AlterField"}},
		{Class: "Custom", Lineage: []string{"Operation"}},
	} {
		if v := judge(op, c); v.Safety != SafeAfterDeploy {
			t.Errorf("%+v judged %s: %s", op, v.Safety, v.Why)
		}
	}
}
