package ebmigrate

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// MaxUserTags is how many of the user's tags fit on a task definition or a
// task: ECS allows 50 per resource (botocore ecs service-2.json, Tags: max
// 50), and the engine's own take up to five.
const MaxUserTags = 45

// userTags are the user's tags (default_tags merged with tags) as ECS tags,
// sorted by key. Keys of the engine's own (ebmigrate:) are left to it.
func userTags(tags map[string]string) []ecstypes.Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		if !strings.HasPrefix(k, "ebmigrate:") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]ecstypes.Tag, len(keys))
	for i, k := range keys {
		out[i] = ecstypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])}
	}
	return out
}

// tagsHash is what the user's tags add to a derived definition's content
// hash, so that a change of tags registers a revision that carries them
// (nothing when there are none, so that untagged hashes stay as they were).
func tagsHash(tags map[string]string) []byte {
	if len(tags) == 0 {
		return nil
	}
	raw, _ := json.Marshal(userTags(tags))
	return raw
}

// checkTags refuses more tags than fit, before anything is registered.
func checkTags(tags map[string]string) error {
	if n := len(userTags(tags)); n > MaxUserTags {
		return problemAt(ArgTags, "Too Many Tags",
			"default_tags and tags together give %d tags; ECS allows 50 per task definition and task, and ebmigrate_run needs 5 of them. Keep at most %d.", n, MaxUserTags)
	}
	return checkReservedTags(tags)
}
