// Package capture reads a real Elastic Beanstalk environment on the ECS
// platform and writes a localaws seed of the same shape with every value
// replaced (`localaws capture`). Like localaws, it imports nothing of ours
// but localaws.
package capture

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Run (localaws capture) reads a real Elastic Beanstalk environment on the ECS
// platform — DescribeEnvironments, DescribeConfigurationSettings, its
// cluster, EB's task definition — and writes a localaws seed of the same
// shape with every value replaced, so that real shapes become fixtures.
//
// Kept: the shape (containers and their names, essential, links, dependsOn,
// port mappings, mount points, volumes, log drivers, sizes, the names of
// properties and secrets, which roles and capacity providers exist). Replaced:
// names and ids (environment, application, account, VPC, subnets, security
// groups), images, role ARNs, secret ARNs, property values, container
// environment values, log group names. Dropped: entryPoint and command (the
// image's own programs do not exist locally; migrations bring their own).

// Names of the captured environment in the seed.
const (
	Environment     = "captured-env"
	capturedEnvID   = "e-captured01"
	capturedApp     = "captured-app"
	capturedAccount = "123456789012"
	Version         = "v1"
)

func Run(args []string) error {
	fs := flag.NewFlagSet("capture", flag.ContinueOnError)
	env := fs.String("environment", "", "name of the Elastic Beanstalk environment to capture (required)")
	region := fs.String("region", "", "AWS region (default: the SDK's, AWS_REGION)")
	profile := fs.String("profile", "", "shared config profile (default: AWS_PROFILE)")
	endpoint := fs.String("endpoint", "", "endpoint URL for every service (for tests against localaws)")
	out := fs.String("out", "", "seed file to write (default: standard output)")
	imageDir := fs.String("image-dir", ".", "directory the captured images run in locally")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *env == "" {
		return fmt.Errorf("capture: -environment is required")
	}
	ctx := context.Background()
	var opts []func(*config.LoadOptions) error
	if *region != "" {
		opts = append(opts, config.WithRegion(*region))
	}
	if *profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(*profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return fmt.Errorf("capture: AWS configuration: %w", err)
	}
	eb := elasticbeanstalk.NewFromConfig(cfg, func(o *elasticbeanstalk.Options) {
		if *endpoint != "" {
			o.BaseEndpoint = endpoint
		}
	})
	ecsc := ecs.NewFromConfig(cfg, func(o *ecs.Options) {
		if *endpoint != "" {
			o.BaseEndpoint = endpoint
		}
	})
	seed, err := captureSeed(ctx, eb, ecsc, cfg.Region, *env, *imageDir)
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	raw, err := json.MarshalIndent(seed, "", "  ")
	if err != nil {
		return err
	}
	raw = append(raw, '\n')
	if *out == "" {
		_, err = os.Stdout.Write(raw)
		return err
	}
	return os.WriteFile(*out, raw, 0o644)
}

func captureSeed(ctx context.Context, eb *elasticbeanstalk.Client, api *ecs.Client, region, name, imageDir string) (*localaws.Seed, error) {
	envs, err := eb.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{name}})
	if err != nil {
		return nil, fmt.Errorf("describing environment %q: %w", name, err)
	}
	if len(envs.Environments) == 0 {
		return nil, fmt.Errorf("no environment named %q in %s", name, region)
	}
	e := envs.Environments[0]
	id := aws.ToString(e.EnvironmentId)
	r := newReplacer(region)
	es := localaws.EnvironmentSeed{
		Name: Environment, ID: capturedEnvID, Application: capturedApp,
		PlatformArn: r.platform(aws.ToString(e.PlatformArn)), Status: "Ready", VersionLabel: Version,
		Properties: map[string]string{}, Secrets: map[string]string{},
	}
	settings, err := eb.DescribeConfigurationSettings(ctx, &elasticbeanstalk.DescribeConfigurationSettingsInput{
		ApplicationName: e.ApplicationName, EnvironmentName: e.EnvironmentName,
	})
	if err != nil {
		return nil, fmt.Errorf("reading the configuration of %q: %w", name, err)
	}
	for _, cs := range settings.ConfigurationSettings {
		if cs.DeploymentStatus != "deployed" && len(settings.ConfigurationSettings) > 1 {
			continue // a pending or failed draft
		}
		for _, o := range cs.OptionSettings {
			opt, value := aws.ToString(o.OptionName), aws.ToString(o.Value)
			switch ns := aws.ToString(o.Namespace); {
			case ns == "aws:elasticbeanstalk:application:environment":
				es.Properties[opt] = r.value("property")
			case ns == "aws:elasticbeanstalk:application:environmentsecrets":
				es.Secrets[opt] = r.secret(value)
			case ns == "aws:ec2:vpc" && opt == "VPCId" && value != "":
				es.VPC.ID = "vpc-0captured"
			case ns == "aws:ec2:vpc" && opt == "Subnets":
				es.VPC.Subnets = r.ids("subnet", value)
			case ns == "aws:ec2:vpc" && opt == "AssociatePublicIpAddress":
				es.VPC.AssociatePublicIPAddress = strings.EqualFold(value, "true")
			case ns == "aws:autoscaling:launchconfiguration" && opt == "SecurityGroups":
				es.VPC.SecurityGroups = r.ids("sg", value)
			}
		}
	}
	td, err := api.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.EBTaskFamily(name, id))})
	if err != nil {
		return nil, fmt.Errorf("describing EB's task definition of %q: %w", name, err)
	}
	es.Containers, es.TaskDefinition, es.Versions, err = r.taskDefinition(td.TaskDefinition)
	if err != nil {
		return nil, err
	}
	clusters, err := api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{localaws.EBClusterName(name, id)}})
	if err == nil && len(clusters.Clusters) == 0 {
		clusters, err = findEBCluster(ctx, api, name)
	}
	if err != nil {
		return nil, fmt.Errorf("describing the cluster of %q: %w", name, err)
	}
	es.Instances = 1
	if len(clusters.Clusters) > 0 {
		c := clusters.Clusters[0]
		es.Instances = max(1, int(c.RegisteredContainerInstancesCount))
		es.CapacityProviders = []string{}
		for _, p := range c.CapacityProviders {
			if !strings.HasPrefix(p, "FARGATE") {
				p = localaws.EBCapacityProvider(localaws.EBClusterName(Environment, capturedEnvID))
			}
			es.CapacityProviders = append(es.CapacityProviders, p)
		}
	}
	images := map[string]localaws.Image{}
	for _, img := range es.Versions[Version] {
		images[img] = localaws.Image{Dir: imageDir, Env: map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin"}}
	}
	return &localaws.Seed{
		Region: region, AccountID: capturedAccount, Images: images, Secrets: r.secretValues,
		LogGroups:    r.logGroups,
		Environments: []localaws.EnvironmentSeed{es},
	}, nil
}

// findEBCluster finds the cluster EB named awseb-<name>-… when its suffix is
// not the one localaws would derive.
func findEBCluster(ctx context.Context, api *ecs.Client, name string) (*ecs.DescribeClustersOutput, error) {
	p := ecs.NewListClustersPaginator(api, &ecs.ListClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, arn := range page.ClusterArns {
			if strings.Contains(arn, ":cluster/awseb-"+name+"-") {
				return api.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{arn}})
			}
		}
	}
	return &ecs.DescribeClustersOutput{}, nil
}

// replacer hands out stand-in values, the same one for the same input.
type replacer struct {
	region       string
	n            int
	secretARNs   map[string]string
	secretValues map[string]string
	logGroups    []string
	groupNames   map[string]string
}

func newReplacer(region string) *replacer {
	return &replacer{region: region, secretARNs: map[string]string{}, secretValues: map[string]string{}, groupNames: map[string]string{}}
}

func (r *replacer) next() int { r.n++; return r.n }

func (r *replacer) value(kind string) string { return fmt.Sprintf("captured-%s-%d", kind, r.next()) }

func (r *replacer) secret(arn string) string {
	if fake, ok := r.secretARNs[arn]; ok {
		return fake
	}
	service := "secretsmanager"
	fake := fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:captured/secret-%d", r.region, capturedAccount, r.next())
	if strings.Contains(arn, ":ssm:") {
		service = "ssm"
		fake = fmt.Sprintf("arn:aws:ssm:%s:%s:parameter/captured/parameter-%d", r.region, capturedAccount, r.n)
	}
	r.secretARNs[arn] = fake
	r.secretValues[fake] = r.value(service)
	return fake
}

func (r *replacer) ids(prefix, list string) []string {
	var out []string
	for _, v := range strings.Split(list, ",") {
		if strings.TrimSpace(v) != "" {
			out = append(out, fmt.Sprintf("%s-0captured%04d", prefix, r.next()))
		}
	}
	return out
}

func (r *replacer) logGroup(name string) string {
	if fake, ok := r.groupNames[name]; ok {
		return fake
	}
	fake := fmt.Sprintf("/captured/log-group-%d", r.next())
	if strings.HasPrefix(name, "/aws/elasticbeanstalk/") {
		fake = fmt.Sprintf("/aws/elasticbeanstalk/%s/captured-%d", Environment, r.n)
	}
	r.groupNames[name] = fake
	r.logGroups = append(r.logGroups, fake)
	return fake
}

func (r *replacer) platform(arn string) string {
	if _, name, ok := strings.Cut(arn, ":platform/"); ok {
		return fmt.Sprintf("arn:aws:elasticbeanstalk:%s::platform/%s", r.region, name)
	}
	return arn
}

// taskDefinition turns EB's task definition into the seed's containers,
// extra task-level fields and one version with stand-in images.
func (r *replacer) taskDefinition(td *ecstypes.TaskDefinition) ([]json.RawMessage, map[string]json.RawMessage, map[string]map[string]string, error) {
	images := map[string]string{}
	var containers []json.RawMessage
	for _, c := range td.ContainerDefinitions {
		cname := aws.ToString(c.Name)
		images[cname] = fmt.Sprintf("captured/%s:%s", cname, Version)
		c.Image, c.EntryPoint, c.Command = aws.String(images[cname]), nil, nil
		for i := range c.Environment {
			c.Environment[i].Value = aws.String(r.value("env"))
		}
		for i := range c.Secrets {
			c.Secrets[i].ValueFrom = aws.String(r.secret(aws.ToString(c.Secrets[i].ValueFrom)))
		}
		if lc := c.LogConfiguration; lc != nil {
			for k, v := range lc.Options {
				switch k {
				case "awslogs-group":
					lc.Options[k] = r.logGroup(v)
				case "awslogs-region":
					lc.Options[k] = r.region
				}
			}
		}
		c.RepositoryCredentials = nil
		raw, err := ecsJSON(c)
		if err != nil {
			return nil, nil, nil, err
		}
		containers = append(containers, raw)
	}
	extra := map[string]json.RawMessage{}
	role := func(key string, arn *string) {
		if aws.ToString(arn) != "" {
			extra[key], _ = json.Marshal(fmt.Sprintf("arn:aws:iam::%s:role/captured-%s", capturedAccount, key))
		}
	}
	role("taskRoleArn", td.TaskRoleArn)
	role("executionRoleArn", td.ExecutionRoleArn)
	if td.NetworkMode != "" {
		extra["networkMode"], _ = json.Marshal(td.NetworkMode)
	}
	var volumes []ecstypes.Volume
	for _, v := range td.Volumes {
		if !strings.HasPrefix(aws.ToString(v.Name), "awseb-logs-") { // EB adds these itself
			volumes = append(volumes, v)
		}
	}
	if len(volumes) > 0 {
		raw, err := ecsJSON(volumes)
		if err != nil {
			return nil, nil, nil, err
		}
		extra["volumes"] = raw
	}
	for key, v := range map[string]*string{"cpu": td.Cpu, "memory": td.Memory} {
		if v != nil {
			extra[key], _ = json.Marshal(*v)
		}
	}
	return containers, extra, map[string]map[string]string{Version: images}, nil
}

// ecsJSON renders an SDK type as ECS's wire JSON (lowerCamelCase names, no
// nulls or empty lists), which the seed holds.
func ecsJSON(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, err
	}
	return json.Marshal(lowerKeys(generic))
}

// freeForm are the SDK fields whose map keys are data (labels, driver
// options), not field names: their keys keep their case.
var freeForm = map[string]bool{"DockerLabels": true, "Options": true, "DriverOpts": true, "Labels": true}

func lowerKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range t {
			val := e
			if !freeForm[k] {
				val = lowerKeys(e)
			}
			if val == nil || isEmpty(val) {
				continue
			}
			out[strings.ToLower(k[:1])+k[1:]] = val
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = lowerKeys(e)
		}
		return out
	}
	return v
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	case string:
		return t == ""
	}
	return false
}
