package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// EnsureTaskDefinition returns the ARN of the derived family's revision
// with the derivation's content, registering one only when the latest
// ACTIVE revision differs. ECS is eventually consistent: a revision just
// registered may be unknown to DescribeTaskDefinition for a moment, so the
// latest revision is found with ListTaskDefinitions and described with
// retries; and when two applies register the same content at once, both
// settle on the lower revision and the other is deregistered.
func EnsureTaskDefinition(ctx context.Context, api ECS, t *Target, d *Derived) (string, bool, error) {
	family := aws.ToString(d.Input.Family)
	revs, err := activeRevisions(ctx, api, family, 1)
	if err != nil {
		return "", false, err
	}
	latest := 0
	if len(revs) > 0 {
		latest = revisionOf(revs[0])
		same, err := hasContent(ctx, api, revs[0], d.Hash)
		if err != nil {
			return "", false, err
		}
		if same {
			return revs[0], false, nil
		}
	}
	reg, err := api.RegisterTaskDefinition(ctx, registration(t, d))
	if err != nil {
		return "", false, fmt.Errorf("registering migration task definition %s for environment %q: %w", family, t.EnvironmentName, err)
	}
	ours := aws.ToString(reg.TaskDefinition.TaskDefinitionArn)
	return settleConcurrent(ctx, api, family, latest, ours, d.Hash)
}

// registration is the RegisterTaskDefinition request of a derived
// definition, tagged.
func registration(t *Target, d *Derived) *ecs.RegisterTaskDefinitionInput {
	in := *d.Input
	in.Tags = []ecstypes.Tag{
		{Key: aws.String(TagContentHash), Value: aws.String(d.Hash)},
		{Key: aws.String(TagEnvID), Value: aws.String(t.EnvironmentID)},
		{Key: aws.String(TagEnvName), Value: aws.String(t.EnvironmentName)},
	}
	in.Tags = append(in.Tags, userTags(d.Tags)...)
	return &in
}

// settlePatience is how long a duplicate revision deregistered while
// settling is asked again when DeleteTaskDefinitions still reads it ACTIVE:
// the migration waits for it.
const settlePatience = 5 * time.Second

// settleConcurrent looks at the revisions registered between latest and
// ours (by applies running at the same time): the lowest with the same
// content is used by all of them, and ours is deregistered.
func settleConcurrent(ctx context.Context, api ECS, family string, latest int, ours, hash string) (string, bool, error) {
	mine := revisionOf(ours)
	if mine <= latest+1 {
		return ours, true, nil
	}
	revs, err := activeRevisions(ctx, api, family, 0)
	if err != nil {
		return "", false, err
	}
	sort.Slice(revs, func(i, j int) bool { return revisionOf(revs[i]) < revisionOf(revs[j]) })
	for _, arn := range revs {
		if r := revisionOf(arn); r <= latest || r >= mine {
			continue
		}
		same, err := hasContent(ctx, api, arn, hash)
		if err != nil {
			return "", false, err
		}
		if !same {
			continue
		}
		if _, err := api.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(ours)}); err != nil {
			return "", false, fmt.Errorf("deregistering %s, registered at the same time as %s with the same content: %w", ours, arn, err)
		}
		// Deleted too, or nothing would find it again; best effort, and
		// briefly (the migration has not started yet): it runs on arn
		// whether or not the duplicate is deleted.
		_, _ = deleteRevisions(ctx, api, []string{ours}, settlePatience)
		return arn, false, nil
	}
	return ours, true, nil
}

// activeRevisions lists the family's ACTIVE revisions, newest first (at most
// limit when above 0). familyPrefix is "the full family name".
func activeRevisions(ctx context.Context, api ECS, family string, limit int32) ([]string, error) {
	var arns []string
	var next *string
	for {
		in := &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive, Sort: ecstypes.SortOrderDesc, NextToken: next}
		if limit > 0 {
			in.MaxResults = aws.Int32(limit)
		}
		out, err := api.ListTaskDefinitions(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing the revisions of task definition family %s: %w", family, err)
		}
		for _, arn := range out.TaskDefinitionArns {
			if strings.HasSuffix(arn[:strings.LastIndex(arn, ":")], ":task-definition/"+family) {
				arns = append(arns, arn)
			}
		}
		if next = out.NextToken; next == nil || (limit > 0 && len(arns) >= int(limit)) {
			return arns, nil
		}
	}
}

// hasContent tells whether a revision carries the content hash. A revision
// just registered may be unknown for a moment: ClientException is retried
// for DefaultPoll.RegisterFor. A revision deregistered meanwhile (by another
// plan or apply that settled on a lower revision of the same content) may
// still be listed ACTIVE for a moment, but DescribeTaskDefinition refuses
// it for good ("You can only describe INACTIVE task definitions while an
// active task or service references them"), and ListTaskDefinitions lists
// INACTIVE revisions only "as long as an active task or service still
// references them" (botocore ecs): once the ACTIVE listing no longer shows
// it, it has no content of use (false), however long RegisterFor.
func hasContent(ctx context.Context, api ECS, arn, hash string) (bool, error) {
	start := time.Now()
	interval := DefaultPoll.Fast
	for {
		out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{
			TaskDefinition: aws.String(arn),
			Include:        []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags},
		})
		var ce *ecstypes.ClientException
		switch {
		case err == nil && out.TaskDefinition != nil && out.TaskDefinition.Status != ecstypes.TaskDefinitionStatusActive:
			// Deregistered or being deleted by another run (a listing may
			// lag): RunTask would refuse it.
			return false, nil
		case err == nil:
			for _, tg := range out.Tags {
				if aws.ToString(tg.Key) == TagContentHash && aws.ToString(tg.Value) == hash {
					return true, nil
				}
			}
			return false, nil
		case !errors.As(err, &ce) || time.Since(start) > DefaultPoll.RegisterFor:
			return false, fmt.Errorf("describing task definition %s: %w", arn, err)
		}
		if active, lerr := listedActive(ctx, api, arn); lerr == nil && !active {
			return false, nil
		}
		interval = min(interval*2, DefaultPoll.Max)
		if !sleep(ctx, interval) {
			return false, ctx.Err()
		}
	}
}

// listedActive tells whether ListTaskDefinitions still lists the revision
// arn as ACTIVE. The listing is newest first, so it stops at the first page
// that reaches below arn's revision.
func listedActive(ctx context.Context, api ECS, arn string) (bool, error) {
	i, j := strings.LastIndex(arn, ":task-definition/"), strings.LastIndex(arn, ":")
	if i < 0 || j <= i {
		return true, nil
	}
	family, rev := arn[i+len(":task-definition/"):j], revisionOf(arn)
	var next *string
	for {
		out, err := api.ListTaskDefinitions(ctx, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: ecstypes.TaskDefinitionStatusActive, Sort: ecstypes.SortOrderDesc, NextToken: next})
		if err != nil {
			return false, err
		}
		below := false
		for _, a := range out.TaskDefinitionArns {
			if a == arn {
				return true, nil
			}
			below = below || (strings.HasSuffix(a[:strings.LastIndex(a, ":")], ":task-definition/"+family) && revisionOf(a) < rev)
		}
		if next = out.NextToken; next == nil || below {
			return false, nil
		}
	}
}

func revisionOf(arn string) int {
	n, _ := strconv.Atoi(arn[strings.LastIndex(arn, ":")+1:])
	return n
}
