package localaws_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

func TestSourceBundles(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.S3Objects = map[string]string{"elasticbeanstalk-us-east-1-123456789012/myapp/v3.zip": "not a zip"}
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(c.srv.URL()); o.UsePathStyle = true })
	out, err := client.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("elasticbeanstalk-us-east-1-123456789012"), Key: aws.String("myapp/v2.zip")})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(out.Body)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil || len(zr.File) != 1 || zr.File[0].Name != "Dockerrun.aws.json" {
		t.Fatalf("bundle: %v %+v", err, zr)
	}
	f, _ := zr.File[0].Open()
	var dockerrun struct {
		Version    int `json:"AWSEBDockerrunVersion"`
		Containers []struct {
			Name, Image string
		} `json:"containerDefinitions"`
	}
	if err := json.NewDecoder(f).Decode(&dockerrun); err != nil {
		t.Fatal(err)
	}
	if dockerrun.Version != 2 || dockerrun.Containers[0].Image != "example/app:v2" {
		t.Errorf("Dockerrun.aws.json = %+v", dockerrun)
	}
	seeded, err := client.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("elasticbeanstalk-us-east-1-123456789012"), Key: aws.String("myapp/v3.zip")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(seeded.Body); string(b) != "not a zip" {
		t.Errorf("a seeded object did not replace the bundle: %q", b)
	}
	_, err = client.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("elasticbeanstalk-us-east-1-123456789012"), Key: aws.String("myapp/v9.zip")})
	if errCode(err) != "NoSuchKey" {
		t.Errorf("missing key: %v", err)
	}
}

// GetObject's Range is RFC 9110's, one range only (botocore s3
// GetObjectRequest.Range): 206 with Content-Range, 416 InvalidRange past
// the end, the whole object for several ranges.
func TestS3Range(t *testing.T) {
	c := world(t, func(s *localaws.Seed) {
		s.S3Objects = map[string]string{"bundles/app.zip": "0123456789"}
	})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(c.srv.URL()); o.UsePathStyle = true })
	get := func(rng string) (string, string, error) {
		out, err := client.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String("bundles"), Key: aws.String("app.zip"), Range: aws.String(rng)})
		if err != nil {
			return "", "", err
		}
		b, _ := io.ReadAll(out.Body)
		return string(b), aws.ToString(out.ContentRange), nil
	}
	for _, tc := range []struct{ rng, body, contentRange string }{
		{"bytes=2-4", "234", "bytes 2-4/10"},
		{"bytes=7-", "789", "bytes 7-9/10"},
		{"bytes=-3", "789", "bytes 7-9/10"},
		{"bytes=-30", "0123456789", "bytes 0-9/10"},
		{"bytes=8-20", "89", "bytes 8-9/10"},
		{"bytes=0-1,4-5", "0123456789", ""},
	} {
		body, cr, err := get(tc.rng)
		if err != nil || body != tc.body || cr != tc.contentRange {
			t.Errorf("Range %s: %q, Content-Range %q, %v; want %q, %q", tc.rng, body, cr, err, tc.body, tc.contentRange)
		}
	}
	if _, _, err := get("bytes=10-12"); errCode(err) != "InvalidRange" {
		t.Errorf("a range past the end: %v, want InvalidRange", err)
	}
	if served := c.srv.S3BytesServed(); served != 3+3+3+10+2+10 {
		t.Errorf("S3BytesServed = %d, want the bytes of the bodies sent (31)", served)
	}
}
