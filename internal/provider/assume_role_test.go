package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestAssumeRoleDuration: the AssumeRole call the SDK sends over HTTP asks
// for assume_role.duration, and for one hour when it is unset (as documented,
// and as STS and the AWS CLI default), not the Go SDK's 15 minutes.
func TestAssumeRoleDuration(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		asked = append(asked, r.Form.Get("Action")+" "+r.Form.Get("DurationSeconds")+" "+r.Form.Get("RoleSessionName"))
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		_, _ = w.Write([]byte(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
			`<AccessKeyId>ASIALOCAL</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>` + exp + `</Expiration>` +
			`</Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/migrate/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>` +
			`</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`))
	}))
	defer srv.Close()
	client := sts.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")},
		func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	for _, tc := range []struct {
		duration types.String
		want     string
	}{
		{types.StringNull(), "AssumeRole 3600 terraform-provider-ebmigrate"},
		{types.StringValue("2h"), "AssumeRole 7200 terraform-provider-ebmigrate"},
		{types.StringValue("15m"), "AssumeRole 900 terraform-provider-ebmigrate"},
	} {
		ar := &assumeRoleModel{RoleArn: types.StringValue("arn:aws:iam::123456789012:role/migrate"), Duration: tc.duration}
		creds, err := stscreds.NewAssumeRoleProvider(client, ar.RoleArn.ValueString(), ar.options).Retrieve(context.Background())
		if err != nil || creds.AccessKeyID != "ASIALOCAL" {
			t.Fatalf("duration %s: %v", tc.duration, err)
		}
		mu.Lock()
		got := asked[len(asked)-1]
		mu.Unlock()
		if got != tc.want {
			t.Errorf("duration %s: STS was asked %q, want %q", tc.duration, got, tc.want)
		}
	}
}
