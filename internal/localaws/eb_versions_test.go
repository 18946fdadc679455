package localaws_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

const bundleBucket = "my-releases"

// withReleaseBucket makes the bucket the tests upload releases to: S3
// answers NoSuchBucket for a bucket that does not exist.
func withReleaseBucket(s *localaws.Seed) { s.S3Buckets = append(s.S3Buckets, bundleBucket) }

func bundleZip(t *testing.T, image string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("Dockerrun.aws.json")
	_, _ = f.Write([]byte(`{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "` + image + `", "essential": true, "memory": 512}]}`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An apply can upload a bundle (PutObject, plain and aws-chunked with a
// trailing checksum), create an application version from it and deploy it.
func TestCreateApplicationVersion(t *testing.T) {
	c := world(t, withReleaseBucket)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(c.srv.URL()); o.UsePathStyle = true })
	bundle := bundleZip(t, "example/app:v4")
	if _, err := s3c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bundleBucket), Key: aws.String("myapp/v4.zip"), Body: bytes.NewReader(bundle)}); err != nil {
		t.Fatal(err)
	}
	// An unseekable, unsigned body: the SDK streams it aws-chunked with a
	// trailing checksum.
	if _, err := s3c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bundleBucket), Key: aws.String("myapp/v5.zip"),
		Body: io.MultiReader(bytes.NewReader(bundleZip(t, "example/app:v5"))), ContentLength: aws.Int64(int64(len(bundleZip(t, "example/app:v5"))))},
		s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string][]byte{"myapp/v4.zip": bundle, "myapp/v5.zip": bundleZip(t, "example/app:v5")} {
		got, err := s3c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bundleBucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := io.ReadAll(got.Body); !bytes.Equal(b, want) {
			t.Errorf("%s: got %d bytes back, put %d", key, len(b), len(want))
		}
	}

	out, err := c.eb.CreateApplicationVersion(ctx(t), &elasticbeanstalk.CreateApplicationVersionInput{
		ApplicationName: aws.String(localaws.FixtureApp), VersionLabel: aws.String("v4"),
		SourceBundle: &ebtypes.S3Location{S3Bucket: aws.String(bundleBucket), S3Key: aws.String("myapp/v4.zip")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := out.ApplicationVersion; aws.ToString(v.VersionLabel) != "v4" || v.Status != ebtypes.ApplicationVersionStatusUnprocessed || aws.ToString(v.SourceBundle.S3Key) != "myapp/v4.zip" {
		t.Errorf("created %+v", v)
	}
	vs, err := c.eb.DescribeApplicationVersions(ctx(t), &elasticbeanstalk.DescribeApplicationVersionsInput{ApplicationName: aws.String(localaws.FixtureApp), VersionLabels: []string{"v4"}})
	if err != nil || len(vs.ApplicationVersions) != 1 || aws.ToString(vs.ApplicationVersions[0].SourceBundle.S3Bucket) != bundleBucket {
		t.Fatalf("describe v4: %v %+v", err, vs)
	}
	for _, bad := range []struct {
		in   elasticbeanstalk.CreateApplicationVersionInput
		code string
	}{
		{elasticbeanstalk.CreateApplicationVersionInput{ApplicationName: aws.String(localaws.FixtureApp), VersionLabel: aws.String("v4"),
			SourceBundle: &ebtypes.S3Location{S3Bucket: aws.String(bundleBucket), S3Key: aws.String("myapp/v4.zip")}}, "InvalidParameterValue"},
		{elasticbeanstalk.CreateApplicationVersionInput{ApplicationName: aws.String(localaws.FixtureApp), VersionLabel: aws.String("v6"),
			SourceBundle: &ebtypes.S3Location{S3Bucket: aws.String(bundleBucket), S3Key: aws.String("myapp/v6.zip")}}, "InvalidParameterCombination"},
		{elasticbeanstalk.CreateApplicationVersionInput{ApplicationName: aws.String("nope"), VersionLabel: aws.String("v7"),
			SourceBundle: &ebtypes.S3Location{S3Bucket: aws.String(bundleBucket), S3Key: aws.String("myapp/v4.zip")}}, "InvalidParameterValue"},
	} {
		if _, err := c.eb.CreateApplicationVersion(ctx(t), &bad.in); errCode(err) != bad.code {
			t.Errorf("%s %s: %v, want %s", aws.ToString(bad.in.ApplicationName), aws.ToString(bad.in.VersionLabel), err, bad.code)
		}
	}

	if _, err := c.eb.UpdateEnvironment(ctx(t), &elasticbeanstalk.UpdateEnvironmentInput{EnvironmentName: aws.String(localaws.FixtureEnv), VersionLabel: aws.String("v4")}); err != nil {
		t.Fatal(err)
	}
	waitReady(t, c)
	td, err := c.ecs.DescribeTaskDefinition(ctx(t), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(localaws.FixtureFamily())})
	if err != nil {
		t.Fatal(err)
	}
	if img := aws.ToString(td.TaskDefinition.ContainerDefinitions[0].Image); img != "example/app:v4" {
		t.Errorf("deployed image %s, want example/app:v4", img)
	}
}

// The AWS CLI uploads a bundle and creates a version, as an apply's
// local-exec would.
func TestCreateApplicationVersionCLI(t *testing.T) {
	awsCLI, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws CLI on PATH")
	}
	c := world(t, withReleaseBucket)
	file := filepath.Join(t.TempDir(), "v4.zip")
	if err := os.WriteFile(file, bundleZip(t, "example/app:v4"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"s3", "cp", file, "s3://" + bundleBucket + "/myapp/v4.zip"},
		{"elasticbeanstalk", "create-application-version", "--application-name", localaws.FixtureApp, "--version-label", "v4",
			"--source-bundle", "S3Bucket=" + bundleBucket + ",S3Key=myapp/v4.zip"},
	} {
		cmd := exec.Command(awsCLI, append(args, "--endpoint-url", c.srv.URL(), "--region", "us-east-1")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret", "AWS_PAGER=",
			"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_EC2_METADATA_DISABLED=true")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	vs, err := c.eb.DescribeApplicationVersions(ctx(t), &elasticbeanstalk.DescribeApplicationVersionsInput{ApplicationName: aws.String(localaws.FixtureApp), VersionLabels: []string{"v4"}})
	if err != nil || len(vs.ApplicationVersions) != 1 {
		t.Fatalf("describe v4: %v %+v", err, vs)
	}
}

func waitReady(t *testing.T, c clients) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := c.eb.DescribeEnvironments(ctx(t), &elasticbeanstalk.DescribeEnvironmentsInput{EnvironmentNames: []string{localaws.FixtureEnv}})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Environments {
			if e.Status == ebtypes.EnvironmentStatusReady {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("environment never became Ready")
		}
		// Below Elastic Beanstalk's describe quota (10 a second, quotas.go).
		time.Sleep(150 * time.Millisecond)
	}
}
