package ebmigrate

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ebmigrate/terraform-provider-ebmigrate/internal/localaws"
)

// Random reads through ranged GETs give the object's bytes, whatever the
// offsets, lengths and object size (block boundaries, a first read from the
// end that starts mid-block, reads past the end).
func TestRangedObjectReadAt(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, size := range []int{1, 100, bundleBlock - 1, bundleBlock, bundleBlock + 1, 3*bundleBlock + 17, 10 * bundleBlock} {
		want := make([]byte, size)
		rng.Read(want)
		srv := localaws.Start(t, localaws.Seed{Region: "us-east-1", AccountID: "123456789012", S3Objects: map[string]string{"b/k": string(want)}})
		cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
		api := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL()); o.UsePathStyle = true })
		o := &rangedObject{ctx: context.Background(), api: api, bucket: "b", key: "k"}
		if err := o.open(); err != nil {
			t.Fatal(err)
		}
		if o.size != int64(size) {
			t.Fatalf("size %d, want %d", o.size, size)
		}
		for i := 0; i < 200; i++ {
			off := rng.Intn(size + 10)
			n := rng.Intn(2*bundleBlock + 5)
			got := make([]byte, n)
			k, err := o.ReadAt(got, int64(off))
			wantN := max(0, min(n, size-off))
			if k != wantN || !bytes.Equal(got[:k], want[min(off, size):min(off, size)+wantN]) {
				t.Fatalf("size %d: ReadAt(%d bytes at %d) = %d, %v; want %d bytes equal to the object's", size, n, off, k, err, wantN)
			}
			if (wantN < n) != (err == io.EOF) {
				t.Fatalf("size %d: ReadAt(%d bytes at %d): err %v", size, n, off, err)
			}
		}
		if o.read > int64(size)+bundleBlock {
			t.Errorf("size %d: transferred %d bytes; each block should be fetched once", size, o.read)
		}
	}
}

// An object overwritten between ranged reads (same size, other bytes) is not
// stitched from two versions: every read after the first asks for the first
// one's ETag (If-Match), and S3 answers 412.
func TestRangedObjectPinnedToOneVersion(t *testing.T) {
	first := bytes.Repeat([]byte("a"), 3*bundleBlock)
	srv := localaws.Start(t, localaws.Seed{Region: "us-east-1", AccountID: "123456789012", S3Objects: map[string]string{"b/k": string(first)}})
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	api := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL()); o.UsePathStyle = true })
	o := &rangedObject{ctx: context.Background(), api: api, bucket: "b", key: "k"}
	if err := o.open(); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"), Body: bytes.NewReader(bytes.Repeat([]byte("b"), 3*bundleBlock))}); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 10)
	if _, err := o.ReadAt(got, 0); err == nil || !strings.Contains(err.Error(), "replaced while it was read") {
		t.Fatalf("ReadAt after the object was replaced: %q, %v; want an error saying so", got, err)
	}
}
