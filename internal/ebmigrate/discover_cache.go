package ebmigrate

import (
	"sync"
	"time"

	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// DiscoveryCache keeps what discovery found in ECS for an environment (its
// cluster and the task definition to derive from), so that an apply's
// re-plan and its migration, a moment apart in one provider process, read
// them once: each read is three to four ECS calls (DescribeClusters,
// ListTasks and DescribeTasks of the web tasks, DescribeTaskDefinition), and
// fifty migrations at once share ECS's read buckets. An entry holds while
// the environment's DateUpdated has not moved (Elastic Beanstalk moves it
// when a change starts, and again when it is deployed: a deploy that
// registers a new revision moves it) and for at most settingsFresh, like
// the settings the EB client reuses (describe_batch.go). Only EB's own task
// definition, or a pinned revision, is kept (discoverFrom).
type DiscoveryCache struct {
	mu      sync.Mutex
	entries map[discoveryKey]discoveryEntry
}

type discoveryKey struct {
	env, version, cluster, source string
}

type discoveryEntry struct {
	updated time.Time
	read    time.Time
	cluster string
	// strategy is the cluster's default capacity provider strategy.
	strategy []CapacityProvider
	// providers are the cluster's associated capacity providers, when read.
	providers     []string
	providersRead bool
	source        *ecstypes.TaskDefinition
}

// NewDiscoveryCache is an empty cache, for one provider process.
func NewDiscoveryCache() *DiscoveryCache {
	return &DiscoveryCache{entries: map[discoveryKey]discoveryEntry{}}
}

func (c *DiscoveryCache) get(k discoveryKey, updated time.Time) (discoveryEntry, bool) {
	if c == nil || updated.IsZero() {
		return discoveryEntry{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !e.updated.Equal(updated) || time.Since(e.read) > settingsFresh {
		return discoveryEntry{}, false
	}
	return e, true
}

func (c *DiscoveryCache) put(k discoveryKey, e discoveryEntry) {
	if c == nil || e.updated.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[k] = e
}
