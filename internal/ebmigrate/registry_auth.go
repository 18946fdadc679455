package ebmigrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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

// checkRegistryAuth refuses a Fargate run of an image on a registry that the
// version's Dockerrun.aws.json authentication holds credentials for (the
// .dockercfg's keys name the registries), unless the container has
// repositoryCredentials or the image is in Amazon ECR (pulled with the
// execution role). The image is the one the run uses, the version's or
// container.image; an image on another registry needs none of those
// credentials. version "" or an image not known at plan checks nothing. It
// returns a warning when the Dockerrun or the .dockercfg could not be read
// to check. Only the .dockercfg's keys are kept: its credentials are
// neither logged nor returned.
func checkRegistryAuth(ctx context.Context, c Clients, t *Target, d *Derived, p Placement, version string, imageKnown bool) (string, error) {
	ctr := d.Input.ContainerDefinitions[0]
	image := aws.ToString(ctr.Image)
	if !p.Fargate() || !imageKnown || version == "" || strings.Contains(image, ".dkr.ecr.") || strings.HasPrefix(image, "public.ecr.aws/") ||
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
	cfg := fmt.Sprintf("s3://%s/%s", a.Bucket, a.Key)
	host := registryHost(image)
	hosts, err := dockercfgHosts(ctx, c, a.Bucket, a.Key)
	if err != nil {
		return fmt.Sprintf("The Dockerrun.aws.json of version %q (%s) has an authentication section (%s, a .dockercfg for private registries), which could not be read to tell which registries it is for (%v): if the image %s (registry %s) needs those credentials, a Fargate task cannot use them and the image will fail to pull. Grant s3:GetObject on it, or run with task.launch_type = \"EC2\".",
			version, where, cfg, err, image, host), nil
	}
	if !slices.Contains(hosts, host) {
		return "", nil // the credentials are for other registries
	}
	return "", problem("Private Registry Credentials Not Usable On Fargate",
		"The Dockerrun.aws.json of version %q (%s) has an authentication section (%s, a .dockercfg with credentials for %s), and the migration's image %s is on that registry. Elastic Beanstalk gives those credentials to the ECS agent of its instances; a Fargate task has no instance, and ECS pulls a private image for it only with the container's repositoryCredentials (a Secrets Manager secret read with the task execution role), so the image would fail to pull. "+
			"Run the migration on the environment's instances (task.launch_type = \"EC2\"); or use a task definition whose container has repositoryCredentials (task.task_definition); or set container.image to an image in Amazon ECR or on a registry the credentials are not for.",
		version, where, cfg, host, image)
}

// maxDockercfg bounds the read of a .dockercfg: a few registries' entries
// are well under a kilobyte.
const maxDockercfg = 64 << 10

// dockercfgHosts are the registry hosts a .dockercfg in S3 has credentials
// for: its keys, in the format EB's and ECS's guides show
// ({"https://index.docker.io/v1/": {"auth": …, "email": …}}, ECS developer
// guide, "Private registry authentication for container instances"), or
// under "auths" as docker login writes ~/.docker/config.json. The values
// (the credentials) are decoded into nothing.
func dockercfgHosts(ctx context.Context, c Clients, bucket, key string) ([]string, error) {
	if c.S3 == nil {
		return nil, errors.New("no S3 client")
	}
	out, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	var keys map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(out.Body, maxDockercfg)).Decode(&keys); err != nil {
		return nil, errors.New("not a JSON object of registries")
	}
	if raw, ok := keys["auths"]; ok {
		keys = nil
		if err := json.Unmarshal(raw, &keys); err != nil {
			return nil, errors.New("its auths is not an object of registries")
		}
	}
	var hosts []string
	for k := range keys {
		hosts = append(hosts, dockercfgHost(k))
	}
	return hosts, nil
}

// registryHost is the registry an image reference is pulled from, by
// Docker's rule (distribution/reference, splitDockerDomain): the part before
// the first "/" is a registry host when it has a "." or a ":", is
// "localhost", or has upper-case letters; any other name is on Docker Hub.
func registryHost(image string) string {
	first, _, found := strings.Cut(image, "/")
	if !found || !strings.ContainsAny(first, ".:") && first != "localhost" && strings.ToLower(first) == first {
		return "docker.io"
	}
	return dockerHub(first)
}

// dockercfgHost is the registry host of a .dockercfg key, a URL or a host
// ("https://index.docker.io/v1/", "registry.example.com:5000"), as Docker's
// ConvertToHostname reads it: without the scheme and the path.
func dockercfgHost(key string) string {
	host := strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	host, _, _ = strings.Cut(host, "/")
	return dockerHub(host)
}

// dockerHub gives Docker Hub's one name, docker.io, to its aliases.
func dockerHub(host string) string {
	switch host {
	case "index.docker.io", "registry-1.docker.io":
		return "docker.io"
	}
	return host
}
