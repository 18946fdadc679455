package ebmigrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// DeleteFamilies deregisters every ACTIVE revision of the families and
// deletes every INACTIVE one (DeleteTaskDefinitions, at most 10 a call), so
// that no derived revision outlives the resource. A revision still used by a
// running task stays DELETE_IN_PROGRESS until the task stops, as ECS
// documents. It returns the revisions it deleted.
func DeleteFamilies(ctx context.Context, api ECS, families ...string) ([]string, error) {
	var deleted []string
	for _, family := range families {
		active, err := familyRevisions(ctx, api, family, ecstypes.TaskDefinitionStatusActive)
		if err != nil {
			return deleted, err
		}
		for _, arn := range active {
			if _, err := api.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
				return deleted, fmt.Errorf("deregistering migration task definition %s: %w", arn, err)
			}
		}
		// The revisions just deregistered are deleted by the ARNs in hand:
		// ListTaskDefinitions is eventually consistent and may still list
		// them as ACTIVE, not INACTIVE. The list adds those deregistered
		// before.
		listed, err := familyRevisions(ctx, api, family, ecstypes.TaskDefinitionStatusInactive)
		if err != nil {
			return deleted, err
		}
		inactive := active
		for _, arn := range listed {
			if !slices.Contains(inactive, arn) {
				inactive = append(inactive, arn)
			}
		}
		gone, err := deleteRevisions(ctx, api, inactive, DeregisterWindow)
		deleted = append(deleted, gone...)
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// deleteRevisions deletes deregistered revisions (DeleteTaskDefinitions, at
// most 10 a call) and returns those ECS deleted. An INACTIVE revision that
// nothing runs is shown by no ECS call ("you can view task definitions that
// are INACTIVE as long as an active task or service still references them",
// botocore ecs ListTaskDefinitions), so whoever deregisters one deletes it
// then, while its ARN is in hand: found no more, it would outlive the
// resource.
//
// A revision deregistered a moment ago may still read ACTIVE to
// DeleteTaskDefinitions ("still in ACTIVE status"). AWS documents a window
// only for using a deregistered revision: "there may be up to a 10-minute
// window following deregistration where these restrictions have not yet
// taken effect" (botocore ecs DeregisterTaskDefinition, of running tasks and
// creating services with an INACTIVE revision); that deletion lags by as
// much is our extrapolation. Those are asked again, backing off, for up to
// patience; what is still refused then is named.
func deleteRevisions(ctx context.Context, api ECS, arns []string, patience time.Duration) ([]string, error) {
	var deleted []string
	start, interval := time.Now(), DefaultPoll.Fast
	for {
		gone, lagging, left, errs := deleteOnce(ctx, api, arns)
		deleted = append(deleted, gone...)
		if len(lagging) > 0 && time.Since(start)+interval <= patience && sleep(ctx, interval) {
			// Every second at first (the lag is seconds as a rule), then
			// backing off to DefaultPoll.Max over the documented window.
			arns, interval = lagging, min(interval*2, max(DefaultPoll.Normal, time.Since(start)/4), DefaultPoll.Max)
			continue
		}
		for _, arn := range lagging {
			left = append(left, arn)
			errs = append(errs, fmt.Errorf("%s: still ACTIVE to DeleteTaskDefinitions %s after it was deregistered", arn, time.Since(start).Round(time.Second)))
		}
		if len(left) == 0 {
			return deleted, nil
		}
		return deleted, engineError(errors.Join(errs...), "Task Definition Not Deleted",
			"ECS did not delete these deregistered migration task definitions: %s. They stay INACTIVE until deleted: delete them in the ECS console or with `aws ecs delete-task-definitions --task-definitions %s`. ECS said: %v",
			strings.Join(left, ", "), strings.Join(left, " "), errors.Join(errs...))
	}
}

// deleteOnce is one round of DeleteTaskDefinitions over arns: the revisions
// deleted, those still read ACTIVE, and those refused for another reason.
func deleteOnce(ctx context.Context, api ECS, arns []string) (deleted, lagging, left []string, errs []error) {
	for len(arns) > 0 {
		batch := arns[:min(10, len(arns))]
		arns = arns[len(batch):]
		out, err := api.DeleteTaskDefinitions(ctx, &ecs.DeleteTaskDefinitionsInput{TaskDefinitions: batch})
		if err != nil {
			left = append(left, batch...)
			errs = append(errs, err)
			continue
		}
		for _, f := range out.Failures {
			reason := strings.ToLower(aws.ToString(f.Reason))
			switch {
			case strings.Contains(reason, "does not exist"):
				// Another run pruning the same family at once deleted it first.
			case strings.Contains(reason, "still in active status"):
				lagging = append(lagging, aws.ToString(f.Arn))
			default:
				left = append(left, aws.ToString(f.Arn))
				errs = append(errs, fmt.Errorf("%s: %s", aws.ToString(f.Arn), aws.ToString(f.Reason)))
			}
		}
		for _, td := range out.TaskDefinitions {
			deleted = append(deleted, aws.ToString(td.TaskDefinitionArn))
		}
	}
	return deleted, lagging, left, errs
}

// DeregisterWindow is how long DeleteFamilies asks again for a revision
// DeleteTaskDefinitions still reads ACTIVE after it was deregistered: the
// "up to a 10-minute window following deregistration" that botocore ecs
// DeregisterTaskDefinition documents for running tasks with an INACTIVE
// revision, extrapolated to deleting it (AWS states no window for that).
// Pruning after a run waits DefaultPoll.RegisterFor, not to hold up the
// apply.
const DeregisterWindow = 10 * time.Minute

// familyRevisions lists the revisions of exactly family with a status
// (familyPrefix may also match longer families).
func familyRevisions(ctx context.Context, api ECS, family string, status ecstypes.TaskDefinitionStatus) ([]string, error) {
	var arns []string
	p := ecs.NewListTaskDefinitionsPaginator(api, &ecs.ListTaskDefinitionsInput{FamilyPrefix: aws.String(family), Status: status})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the revisions of task definition family %s: %w", family, err)
		}
		for _, arn := range out.TaskDefinitionArns {
			if i := strings.LastIndex(arn, ":"); i > 0 && strings.HasSuffix(arn[:i], ":task-definition/"+family) {
				arns = append(arns, arn)
			}
		}
	}
	return arns, nil
}

// DeleteLegacyQueryRevisions deregisters and deletes the revisions of the
// pre-1.0 query family of an environment, ebmigrate-<env>-query
// (LegacyQueryFamily), that were that environment's queries: those tagged
// ebmigrate:environment-name = env. The same family is the default
// migration family of an environment named <env>-query, whose revisions
// (tagged with that name) are left alone. It returns the revisions it
// deleted. ListTaskDefinitions shows ACTIVE revisions, and INACTIVE ones
// only while a task still uses them; one deregistered revision that no
// task uses cannot be found again, which is why it is deleted at once.
func DeleteLegacyQueryRevisions(ctx context.Context, api ECS, env string) ([]string, error) {
	family := LegacyQueryFamily(env)
	var ours []string
	for _, status := range []ecstypes.TaskDefinitionStatus{ecstypes.TaskDefinitionStatusActive, ecstypes.TaskDefinitionStatusInactive} {
		arns, err := familyRevisions(ctx, api, family, status)
		if err != nil {
			return nil, err
		}
		for _, arn := range arns {
			out, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn), Include: []ecstypes.TaskDefinitionField{ecstypes.TaskDefinitionFieldTags}})
			if err != nil {
				return nil, fmt.Errorf("describing task definition %s: %w", arn, err)
			}
			if tagValue(out.Tags, TagEnvName) != env || tagValue(out.Tags, TagContentHash) == "" {
				continue // another environment's (<env>-query's), or not the provider's
			}
			if status == ecstypes.TaskDefinitionStatusActive {
				if _, err := api.DeregisterTaskDefinition(ctx, &ecs.DeregisterTaskDefinitionInput{TaskDefinition: aws.String(arn)}); err != nil {
					return nil, fmt.Errorf("deregistering task definition %s of the old query family: %w", arn, err)
				}
			}
			if !slices.Contains(ours, arn) {
				ours = append(ours, arn)
			}
		}
	}
	return deleteRevisions(ctx, api, ours, DefaultPoll.RegisterFor)
}

func tagValue(tags []ecstypes.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}
