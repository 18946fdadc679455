package localaws_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The environment's web tasks run the seeded workload, one process each, in
// their version's image directory with the environment's properties; a
// deploy through the SDK replaces them with the new version's; the stats
// count each one's successes and failures, and a workload that exits while
// its task runs is a failure.
func TestWebWorkload(t *testing.T) {
	t.Parallel()
	script := map[string]string{
		// v1 fails once, then serves.
		"v1": `echo "WORKLOAD FAILED v1 boom"; while :; do echo "WORKLOAD OK v1"; sleep 0.02; done`,
		// v2 fails on every query if the environment's property is missing.
		"v2": `while :; do if [ "$DATABASE_PASSWORD" = "` + localaws.FixturePropSecret + `" ] && [ "$API_KEY" = "` + localaws.FixtureSecretValue + `" ]; then echo "WORKLOAD OK v2"; else echo "WORKLOAD FAILED no property"; fi; sleep 0.02; done`,
		// v3 crashes.
		"v3": `echo "WORKLOAD OK v3"; exit 1`,
	}
	c := world(t, func(s *localaws.Seed) {
		for v, body := range script {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "serve.sh"), []byte(body+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			img := s.Images["example/app:"+v]
			img.Dir = dir
			s.Images["example/app:"+v] = img
		}
		s.Environments[0].Workload = &localaws.WorkloadSeed{Command: []string{"sh", "serve.sh"}}
	})
	served := func(version string, n int) []localaws.WorkloadInfo {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			var got []localaws.WorkloadInfo
			for _, w := range statsOverHTTP(t, c.srv).Workloads {
				if w.VersionLabel == version && w.OK >= n {
					got = append(got, w)
				}
			}
			if len(got) == 2 || time.Now().After(deadline) {
				return got
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if got := served("v1", 3); len(got) != 2 {
		t.Fatalf("v1 workloads serving: %+v", got)
	}
	deploy := func(label string) {
		t.Helper()
		if _, err := c.eb.UpdateEnvironment(ctx(t), &elasticbeanstalk.UpdateEnvironmentInput{EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String(label)}); err != nil {
			t.Fatal(err)
		}
		waitReady(t, c)
	}
	deploy("v2")
	if got := served("v2", 3); len(got) != 2 {
		t.Fatalf("v2 workloads serving: %+v", got)
	}
	all := c.srv.Workloads()
	if len(all) != 4 {
		t.Fatalf("%d workloads, want 2 of v1 and 2 of v2: %+v", len(all), all)
	}
	for _, w := range all[:2] {
		if w.VersionLabel != "v1" || w.StoppedAt == nil || w.Failed != 1 || w.Failures[0] != "v1 boom" || w.Environment != localaws.FixtureEnv {
			t.Errorf("v1 workload after the deploy: %+v", w)
		}
	}
	for _, w := range all[2:] {
		if w.VersionLabel != "v2" || w.StoppedAt != nil || w.Failed != 0 || (all[0].StoppedAt != nil && w.StartedAt.Before(all[0].StoppedAt.Add(-time.Second))) {
			t.Errorf("v2 workload: %+v", w)
		}
	}
	deploy("v3")
	deadline := time.Now().Add(10 * time.Second)
	for {
		crashed := 0
		for _, w := range c.srv.Workloads() {
			if w.VersionLabel == "v3" && w.Failed == 1 && strings.Contains(strings.Join(w.Failures, ""), "the workload exited with code 1 while its task ran") {
				crashed++
			}
		}
		if crashed == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("v3's crashes not recorded: %+v", c.srv.Workloads())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// statsOverHTTP reads GET /_localaws/stats as a client of the endpoint would.
func statsOverHTTP(t *testing.T, srv *localaws.Server) localaws.Stats {
	t.Helper()
	resp, err := http.Get(srv.URL() + "/_localaws/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st localaws.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}
