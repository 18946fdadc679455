package localaws

import "encoding/json"

// WithoutHostVolume drops the first container's mount of the bundle's
// static folder, a host path Fargate cannot have, for tests that run the
// fixture's migration on Fargate. Its awseb-logs mount stays: on Fargate the
// migration does without it.
func WithoutHostVolume(s *Seed) {
	var web map[string]any
	if err := json.Unmarshal(s.Environments[0].Containers[0], &web); err != nil {
		panic(err)
	}
	var kept []any
	for _, mp := range web["mountPoints"].([]any) {
		if mp.(map[string]any)["sourceVolume"] != "static" {
			kept = append(kept, mp)
		}
	}
	web["mountPoints"] = kept
	s.Environments[0].Containers[0], _ = json.Marshal(web)
}
