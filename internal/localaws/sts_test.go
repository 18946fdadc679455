package localaws_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// STS GetCallerIdentity names the seed's account, over the query protocol.
func TestGetCallerIdentity(t *testing.T) {
	c := world(t)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""), RetryMaxAttempts: 1}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(c.srv.URL()) })
	out, err := client.GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "123456789012" || aws.ToString(out.Arn) != "arn:aws:iam::123456789012:user/localaws" {
		t.Errorf("GetCallerIdentity = %s %s", aws.ToString(out.Account), aws.ToString(out.Arn))
	}
	if c.srv.Calls("sts:GetCallerIdentity") != 1 {
		t.Errorf("calls %v", c.srv.Stats().Calls)
	}
}
