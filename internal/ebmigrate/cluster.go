package ebmigrate

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// findCluster finds the override, or the one cluster EB made for the
// environment (awseb-<name>-<suffix>, tagged with its id), and sets the
// target's ClusterArn and DefaultStrategy.
func findCluster(ctx context.Context, api ECS, t *Target, override string) error {
	found := func(c ecstypes.Cluster) error {
		t.ClusterArn, t.DefaultStrategy = aws.ToString(c.ClusterArn), nil
		// DescribeClusters returns capacityProviders by default (botocore
		// ecs Cluster.capacityProviders); a cluster only listed has none.
		t.CapacityProviders, t.CapacityProvidersRead = slices.Clone(c.CapacityProviders), c.Status != nil
		for _, it := range c.DefaultCapacityProviderStrategy {
			t.DefaultStrategy = append(t.DefaultStrategy, CapacityProvider{Name: aws.ToString(it.CapacityProvider), Weight: it.Weight, Base: it.Base})
		}
		return nil
	}
	if override != "" {
		out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{override}})
		if err != nil {
			return fmt.Errorf("describing ECS cluster %q: %w", override, err)
		}
		for _, c := range out.Clusters {
			if aws.ToString(c.Status) == "ACTIVE" {
				return found(c)
			}
		}
		return problemAt(ArgCluster, "ECS Cluster Not Found", "The ECS cluster %q given in %s does not exist or is not ACTIVE in region %s.", override, ArgCluster, regionOf(override, t.Region))
	}
	// EB names the cluster like the task family; look for that name first
	// and scan only when it is absent (older environments).
	exact := EBTaskFamily(t.EnvironmentName, t.EnvironmentID)
	out, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{exact}})
	if err != nil {
		return fmt.Errorf("describing ECS cluster %q of environment %q: %w", exact, t.EnvironmentName, err)
	}
	for _, c := range out.Clusters {
		if aws.ToString(c.Status) == "ACTIVE" {
			return found(c)
		}
	}
	pattern := regexp.MustCompile(`:cluster/awseb-` + regexp.QuoteMeta(t.EnvironmentName) + `-[A-Za-z0-9]+$`)
	var candidates []string
	var next *string
	for {
		out, err := api.ListClusters(ctx, &ecs.ListClustersInput{NextToken: next})
		if err != nil {
			return fmt.Errorf("listing ECS clusters to find the one of environment %q: %w", t.EnvironmentName, err)
		}
		for _, arn := range out.ClusterArns {
			if pattern.MatchString(arn) {
				candidates = append(candidates, arn)
			}
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if len(candidates) == 0 {
		return problem("ECS Cluster Not Found",
			"Found no ECS cluster named awseb-%s-… for environment %q (%s). Elastic Beanstalk creates one for each environment on the ECS platform; set %s to its name or ARN if it is named otherwise.",
			t.EnvironmentName, t.EnvironmentName, t.EnvironmentID, ArgCluster)
	}
	out, err = api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: candidates, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}})
	if err != nil {
		return fmt.Errorf("describing ECS clusters of environment %q: %w", t.EnvironmentName, err)
	}
	if len(candidates) == 1 && len(out.Clusters) == 0 {
		return found(ecstypes.Cluster{ClusterArn: aws.String(candidates[0])}) // listed but not described yet
	}
	for _, c := range out.Clusters {
		if len(candidates) == 1 {
			return found(c)
		}
		for _, tg := range c.Tags {
			if aws.ToString(tg.Key) == "elasticbeanstalk:environment-id" && aws.ToString(tg.Value) == t.EnvironmentID {
				return found(c)
			}
		}
	}
	return problem("Several ECS Clusters Match",
		"These ECS clusters could belong to environment %q and none is tagged elasticbeanstalk:environment-id=%s: %s. Set %s to the right one.",
		t.EnvironmentName, t.EnvironmentID, strings.Join(candidates, ", "), ArgCluster)
}

// regionOf is the region of an ARN, or region (the provider's) for a name.
func regionOf(arn, region string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 3 && strings.HasPrefix(arn, "arn:") {
		return parts[3]
	}
	return region
}
