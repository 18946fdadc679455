package localaws_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// The permissions S3 judges beyond the call's own action, for a client
// under an enforced policy: a GetObject or HeadObject of no object is 404
// only with s3:ListBucket on the bucket, else 403 (botocore s3 GetObject,
// HeadObject); an If-Match PutObject needs s3:GetObject too (S3 User Guide,
// conditional writes), an If-None-Match one does not.
func TestS3PermissionsBeyondTheAction(t *testing.T) {
	c := lockWorld(t)
	if _, err := put(t, s3Client(c.srv, ""), lockBucket, "there", "x"); err != nil {
		t.Fatal(err)
	}
	var listBucket, getObject bool
	c.srv.EnforcePolicy("judged", func(r localaws.AuthzRequest) bool {
		switch r.Action {
		case "s3:ListBucket":
			return listBucket && r.Resource == "arn:aws:s3:::"+lockBucket
		case "s3:GetObject":
			return getObject
		}
		return r.Action == "s3:PutObject"
	})
	api := s3Client(c.srv, "judged")
	get := func(key string) error {
		_, err := api.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(lockBucket), Key: aws.String(key)})
		return err
	}
	head := func(key string) error {
		_, err := api.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(lockBucket), Key: aws.String(key)})
		return err
	}
	getObject = true
	if err := get("absent"); errCode(err) != "AccessDenied" || status(err) != http.StatusForbidden || !strings.Contains(err.Error(), "s3:ListBucket") {
		t.Errorf("GetObject of no object without s3:ListBucket: %v, want 403 AccessDenied naming s3:ListBucket", err)
	}
	if err := head("absent"); status(err) != http.StatusForbidden {
		t.Errorf("HeadObject of no object without s3:ListBucket: %v, want 403", err)
	}
	if err := get("there"); err != nil {
		t.Errorf("GetObject of an object without s3:ListBucket: %v", err)
	}
	listBucket = true
	var nf *s3types.NotFound
	if err := get("absent"); errCode(err) != "NoSuchKey" || status(err) != http.StatusNotFound {
		t.Errorf("GetObject of no object with s3:ListBucket: %v, want 404 NoSuchKey", err)
	}
	if err := head("absent"); !errors.As(err, &nf) {
		t.Errorf("HeadObject of no object with s3:ListBucket: %v, want 404 NotFound", err)
	}
	// Another client is not judged: 404 as with every permission.
	if _, err := s3Client(c.srv, "").GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(lockBucket), Key: aws.String("other")}); errCode(err) != "NoSuchKey" {
		t.Errorf("an unjudged client: %v, want NoSuchKey", err)
	}

	getObject = false
	created, err := put(t, api, lockBucket, "lock", "one", ifNoneMatch)
	if err != nil {
		t.Fatalf("If-None-Match with s3:PutObject alone: %v", err)
	}
	_, err = put(t, api, lockBucket, "lock", "two", ifMatch(aws.ToString(created.ETag)))
	if errCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "s3:GetObject") {
		t.Errorf("If-Match without s3:GetObject: %v, want 403 AccessDenied naming s3:GetObject", err)
	}
	if obj, _ := c.srv.Object(lockBucket, "lock"); string(obj) != "one" {
		t.Errorf("a denied write wrote: %q", obj)
	}
	getObject = true
	if _, err := put(t, api, lockBucket, "lock", "two", ifMatch(aws.ToString(created.ETag))); err != nil {
		t.Errorf("If-Match with s3:PutObject and s3:GetObject: %v", err)
	}
}
