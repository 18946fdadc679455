package main

import (
	"fmt"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// bundleSize is the source bundle of the bench: Elastic Beanstalk bundles
// that ship the app's code, wheels and static assets reach hundreds of MB.
const bundleSize = 200 << 20

// 5. Source bundle: what plan and apply read of a 200 MB bundle to find the
// image of a version that is not deployed yet (Dockerrun.aws.json, a few
// hundred bytes inside it).
func bundleReads(e *benchEnv, r *report) error {
	bundle, err := localaws.PaddedBundle("web", "example/app:v2", bundleSize)
	if err != nil {
		return err
	}
	var key string
	w, err := newWorld(e, 1, func(s *localaws.Seed) {
		key = fmt.Sprintf("elasticbeanstalk-%s-%s/%s/v2.zip", s.Region, s.AccountID, s.Environments[0].Application)
		s.S3Objects = map[string]string{key: string(bundle)}
	})
	if err != nil {
		return err
	}
	defer w.close()
	d, err := newTFDir(e, "bundle")
	if err != nil {
		return err
	}
	if err := d.write(providerBlock(w.srv.URL()) + fmt.Sprintf(`
resource "ebmigrate_run" "migrate" {
  environment_name = %q
  version_label    = "v2"
  command          = ["true"]
}
`, w.envs[0])); err != nil {
		return err
	}
	type reads struct {
		bytes int64
		gets  int
	}
	measure := func(args ...string) (reads, error) {
		b0, g0 := w.srv.S3BytesServed(), w.srv.Calls("s3:GetObject")
		if _, err := d.timed(args...); err != nil {
			return reads{}, err
		}
		return reads{w.srv.S3BytesServed() - b0, w.srv.Calls("s3:GetObject") - g0}, nil
	}
	plan, err := measure("plan", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	apply, err := measure("apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	ms := w.migrations()
	if len(ms) != 1 {
		return fmt.Errorf("the apply ran %d migration tasks, want 1", len(ms))
	}
	if img := imageOf(ms[0], "web"); img != "example/app:v2" {
		return fmt.Errorf("the migration ran image %q, want the bundle's example/app:v2", img)
	}
	whole := int64(len(bundle))
	r.line("\n## 5. Source bundle\n\nBytes of S3 objects read (`localaws` counts what GetObject sends) to find the image of a version that is not deployed yet, "+
		"from a %d MB source bundle (`Dockerrun.aws.json` between two stored 100 MB entries). "+
		"Terraform runs a provider process for the plan and another for the apply, so `terraform apply` reads it at most twice: at its plan and at its apply.\n\n", whole>>20)
	r.line("| Operation | GetObject calls | Bytes read | Reading the whole object each time |\n| --- | --- | --- | --- |\n")
	r.line("| `terraform plan` | %d | %s | %s |\n", plan.gets, kib(plan.bytes), kib(whole))
	r.line("| `terraform apply` (its plan, then the apply) | %d | %s | %s |\n", apply.gets, kib(apply.bytes), kib(2*whole))
	total := plan.bytes + apply.bytes
	r.line("\nTarget (ranged GETs of the central directory and the one entry, bounded whatever the bundle's size; at most one read per plan or apply): %s — %s in all, %.5f%% of the %s the whole-object reads would cost.\n",
		met(plan.gets <= 2 && apply.gets <= 4 && total < 1<<20), kib(total), 100*float64(total)/float64(3*whole), kib(3*whole))
	return nil
}

func imageOf(t localaws.TaskInfo, container string) string {
	for _, c := range t.Containers {
		if c.Name == container {
			return c.Image
		}
	}
	return ""
}

func kib(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
