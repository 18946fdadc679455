package ebmigrate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3 is the part of the S3 API the engine uses: it reads application
// versions' source bundles, and reads and writes the migration lock's
// object, with conditions (lock.go).
type S3 interface {
	GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(context.Context, *s3.PutObjectInput, ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// ResolveImage decides the migration container's image and says where it
// comes from: the image argument; else, when the version to migrate is not
// the one deployed, that version's Dockerrun.aws.json; else the deployed
// task definition. It makes read-only calls only.
func ResolveImage(ctx context.Context, c Clients, t *Target, spec DeriveSpec, version string) (DeriveSpec, string, error) {
	if spec.Image != "" {
		return spec, "the image argument", nil
	}
	container, err := selectContainer(t.SourceTaskDefinition, spec.Container)
	if err != nil {
		return spec, "", err
	}
	if version == "" || version == t.VersionLabel {
		return spec, "the deployed task definition " + shortArn(aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn)), nil
	}
	image, where, err := VersionImage(ctx, c, t, version, aws.ToString(container.Name))
	if err != nil {
		return spec, "", err
	}
	spec.Image = image
	return spec, fmt.Sprintf("application version %s (%s)", version, where), nil
}

func shortArn(arn string) string {
	if i := strings.LastIndex(arn, "/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

// VersionImage reads an application version's source bundle from S3 and
// returns the image its Dockerrun.aws.json gives the container, and where
// the bundle is.
func VersionImage(ctx context.Context, c Clients, t *Target, version, container string) (string, string, error) {
	doc, where, err := versionDockerrun(ctx, c, t, version)
	if err != nil {
		return "", "", err
	}
	var names []string
	for _, cd := range doc.Containers {
		if cd.Name == container {
			return cd.Image, where, nil
		}
		names = append(names, cd.Name)
	}
	return "", "", problem("Container Not In Version",
		"The Dockerrun.aws.json of version %q (%s) has no container %q; it has: %s. Set %s or %s.", version, where, container, strings.Join(names, ", "), ArgContainerName, ArgImage)
}

// dockerrun is the part of a Dockerrun.aws.json (v2) the engine reads.
type dockerrun struct {
	Version    json.Number `json:"AWSEBDockerrunVersion"`
	Containers []struct {
		Name  string `json:"name"`
		Image string `json:"image"`
	} `json:"containerDefinitions"`
	// Authentication is "the location in Amazon S3 of a .dockercfg file
	// that contains authentication data for a private repository" (EB
	// developer guide, "Dockerrun.aws.json v2").
	Authentication *struct {
		Bucket string `json:"bucket"`
		Key    string `json:"key"`
	} `json:"authentication"`
}

// versionDockerrun reads an application version's Dockerrun.aws.json from
// its source bundle, and says where the bundle is.
func versionDockerrun(ctx context.Context, c Clients, t *Target, version string) (*dockerrun, string, error) {
	out, err := c.EB.DescribeApplicationVersions(ctx, &elasticbeanstalk.DescribeApplicationVersionsInput{
		ApplicationName: aws.String(t.ApplicationName), VersionLabels: []string{version},
	})
	if err != nil {
		return nil, "", fmt.Errorf("describing application version %q of %q: %w", version, t.ApplicationName, err)
	}
	if len(out.ApplicationVersions) == 0 || out.ApplicationVersions[0].SourceBundle == nil {
		return nil, "", problemAt(ArgVersionLabel, "Application Version Not Found",
			"Application %q has no version %q (or it has no source bundle), so the image to migrate with cannot be found. Check version_label, or set %s.", t.ApplicationName, version, ArgImage)
	}
	bundle := out.ApplicationVersions[0].SourceBundle
	where := fmt.Sprintf("s3://%s/%s", aws.ToString(bundle.S3Bucket), aws.ToString(bundle.S3Key))
	if c.S3 == nil {
		return nil, where, engineError(nil, "No S3 Client", "The image of version %q is in its source bundle %s, and this provider was configured without an S3 client to read it. Set %s, or configure the provider's s3 endpoint.", version, where, ArgImage)
	}
	raw, err := readDockerrun(ctx, c, aws.ToString(bundle.S3Bucket), aws.ToString(bundle.S3Key))
	if f, ok := AsAWSFailure(err); ok {
		// S3 refused or failed the read: the bundle may be fine.
		return nil, where, problem("Source Bundle Not Readable",
			"The source bundle of version %q (%s) holds the image to migrate with, and reading it failed. %s Set %s to skip the bundle.", version, where, f.Detail(), ArgImage)
	}
	if err != nil {
		return nil, where, problem("Dockerrun.aws.json Not Found",
			"The source bundle of version %q (%s) %v, so the image to migrate with cannot be known. Set %s.", version, where, err, ArgImage)
	}
	var doc dockerrun
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Version.String() != "2" {
		return nil, where, problem("Unsupported Dockerrun.aws.json",
			"The Dockerrun.aws.json of version %q (%s) is not a version 2 file with containerDefinitions, as the ECS platform uses. Set %s.", version, where, ArgImage)
	}
	return &doc, where, nil
}
