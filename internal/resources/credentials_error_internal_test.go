package resources

import (
	"context"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// noCredentialsError is the error a real ECS client built by the SDK's
// default configuration returns when the machine has no credentials: no
// AWS_* keys, empty shared files, no container or web identity credentials,
// and EC2 IMDS disabled (imdsEndpoint "") or at imdsEndpoint. The call fails
// in the SDK's auth step, before anything is sent.
func noCredentialsError(t *testing.T, imdsEndpoint string) error {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	if imdsEndpoint == "" {
		t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	} else {
		t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
		t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imdsEndpoint)
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatalf("loading the default configuration: %v", err)
	}
	client := ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(unreachableURL(t)) })
	_, err = client.ListTasks(context.Background(), &ecs.ListTasksInput{Cluster: aws.String("c")})
	if err == nil {
		t.Fatal("ListTasks without credentials succeeded")
	}
	t.Logf("without credentials: %v", err)
	return err
}

// unreachableURL is an http URL on loopback where nothing listens.
func unreachableURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}
