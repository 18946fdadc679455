package ebmigrate

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// A Dockerrun.aws.json's "authentication" is "the location in Amazon S3 of a
// .dockercfg file that contains authentication data for a private
// repository" (EB developer guide, "Dockerrun.aws.json v2"): Elastic
// Beanstalk hands it to the ECS agent of its instances, so a migration on
// EC2 (the environment's instances) pulls as the web tasks do. A Fargate task
// has no instance of the cluster's: ECS pulls a private image for it only
// with the container's repositoryCredentials, a Secrets Manager secret read
// with the task execution role (ECS developer guide, "Private registry
// authentication for tasks"), not an S3 file. The engine does not turn one
// into the other: it would have to read the registry's password and write it
// into a secret that outlives the run. It refuses such a run at plan instead,
// saying what to do.

// checkRegistryAuth refuses a Fargate run of a container whose version's
// Dockerrun.aws.json has an authentication, unless the container has
// repositoryCredentials, its image is in Amazon ECR (pulled with the
// execution role), or the user chose the image (container.image). version
// "" (not known at plan) checks nothing. It returns a warning when the
// Dockerrun could not be read to check.
func checkRegistryAuth(ctx context.Context, c Clients, t *Target, d *Derived, p Placement, version string, userImage bool) (string, error) {
	ctr := d.Input.ContainerDefinitions[0]
	image := aws.ToString(ctr.Image)
	if !p.Fargate() || userImage || version == "" || strings.Contains(image, ".dkr.ecr.") || strings.HasPrefix(image, "public.ecr.aws/") ||
		ctr.RepositoryCredentials != nil && aws.ToString(ctr.RepositoryCredentials.CredentialsParameter) != "" {
		return "", nil
	}
	doc, where, err := versionDockerrun(ctx, c, t, version)
	if err != nil {
		return fmt.Sprintf("The Dockerrun.aws.json of version %q could not be read to check for private registry credentials (%v): if it has an authentication section, a Fargate task cannot use it, and the image %s cannot be pulled unless it is public.", version, err, image), nil
	}
	a := doc.Authentication
	if a == nil || a.Bucket == "" && a.Key == "" {
		return "", nil
	}
	return "", problem("Private Registry Credentials Not Usable On Fargate",
		"The Dockerrun.aws.json of version %q (%s) has an authentication section (s3://%s/%s, a .dockercfg for private registries). Elastic Beanstalk gives those credentials to the ECS agent of its instances; a Fargate task has no instance, and ECS pulls a private image for it only with the container's repositoryCredentials (a Secrets Manager secret read with the task execution role), so the migration's image %s would fail to pull. "+
			"Run the migration on the environment's instances (task.launch_type = \"EC2\"); or, if the image is public or in Amazon ECR, name it in container.image; or use a task definition whose container has repositoryCredentials (task.task_definition).",
		version, where, a.Bucket, a.Key, image)
}
