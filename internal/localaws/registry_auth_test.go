package localaws_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// A private registry's image is pulled on EB's instances, whose ECS agent
// has the Dockerrun's authentication (a .dockercfg in S3, for the registries
// it names), and on Fargate only with the container's repositoryCredentials
// (ECS guide, "Private registry authentication for tasks"); without them the
// task stops with CannotPullContainerError.
func TestPrivateImagePull(t *testing.T) {
	const other = "registry.example.com/app:v1"
	c := world(t, func(s *localaws.Seed) {
		img := s.Images["example/app:v1"]
		img.Private = true
		s.Images["example/app:v1"], s.Images[other] = img, img
		s.Environments[0].DockerrunAuthentication = &localaws.S3Location{Bucket: "myapp-secrets", Key: "dockercfg"}
	})
	s3c := s3.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(c.srv.URL()); o.UsePathStyle = true })
	cfg, err := s3c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("myapp-secrets"), Key: aws.String("dockercfg")})
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.NewDecoder(cfg.Body).Decode(&keys); err != nil || len(keys) != 1 || keys["https://index.docker.io/v1/"] == nil {
		t.Errorf("the .dockercfg in S3: %v %v, want Docker Hub's key", keys, err)
	}
	register := func(family string, fargate bool, creds string, image ...string) string {
		ctr := ecstypes.ContainerDefinition{Name: aws.String("web"), Image: aws.String(append(image, "example/app:v1")[0]), Memory: aws.Int32(128), Command: []string{"true"}}
		in := &ecs.RegisterTaskDefinitionInput{Family: aws.String(family), ContainerDefinitions: []ecstypes.ContainerDefinition{ctr}}
		if creds != "" {
			in.ContainerDefinitions[0].RepositoryCredentials = &ecstypes.RepositoryCredentials{CredentialsParameter: aws.String(creds)}
			in.ExecutionRoleArn = aws.String("arn:aws:iam::123456789012:role/exec")
		}
		if fargate {
			in.NetworkMode, in.Cpu, in.Memory = ecstypes.NetworkModeAwsvpc, aws.String("256"), aws.String("512")
			in.RequiresCompatibilities = []ecstypes.Compatibility{ecstypes.CompatibilityFargate}
		}
		out, err := c.ecs.RegisterTaskDefinition(ctx(t), in)
		if err != nil {
			t.Fatal(err)
		}
		arn := aws.ToString(out.TaskDefinition.TaskDefinitionArn)
		c.waitKnown(t, arn)
		return arn
	}
	fargate := func(in *ecs.RunTaskInput) {
		in.LaunchType, in.NetworkConfiguration = ecstypes.LaunchTypeFargate, awsvpc([]string{"subnet-0aaa1111"}, nil)
	}
	for _, tc := range []struct {
		name   string
		arn    string
		mod    []func(*ecs.RunTaskInput)
		reason string
	}{
		{"on EB's instances", register("on-ec2", false, ""), nil, ""},
		{"on EB's instances, from a registry the .dockercfg does not name", register("other-registry", false, "", other), nil, "CannotPullContainerError"},
		{"on Fargate", register("on-fargate", true, ""), []func(*ecs.RunTaskInput){fargate}, "CannotPullContainerError"},
		{"on Fargate with repositoryCredentials", register("with-creds", true, localaws.FixtureSecretArn), []func(*ecs.RunTaskInput){fargate}, ""},
	} {
		task := c.waitStopped(t, aws.ToString(c.runTask(t, tc.arn, tc.mod...).TaskArn))
		ctr := task.Containers[0]
		if reason := aws.ToString(ctr.Reason); tc.reason == "" && aws.ToInt32(ctr.ExitCode) != 0 || !strings.HasPrefix(reason, tc.reason) || tc.reason != "" && !strings.Contains(reason, "pull access denied") {
			t.Errorf("%s: exit code %v, reason %q, want reason %q", tc.name, ctr.ExitCode, reason, tc.reason)
		}
	}
}
