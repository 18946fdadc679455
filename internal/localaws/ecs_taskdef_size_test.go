package localaws_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// RegisterTaskDefinition takes a request body of 64 KiB and refuses one byte
// more, with ECS's ClientException (Amazon ECS service quotas, "Task
// definition size"; the message as awsdocs/amazon-ecs-developer-guide#149
// quotes it).
func TestRegisterTaskDefinitionSizeLimit(t *testing.T) {
	c := world(t)
	body := func(size int) []byte {
		head := `{"family":"big","containerDefinitions":[{"name":"web","image":"example/app:v1","memory":128,"command":["true","`
		tail := `"]}]}`
		return []byte(head + strings.Repeat("a", size-len(head)-len(tail)) + tail)
	}
	for _, tc := range []struct {
		size int
		want string
	}{{65536, ""}, {65537, "Actual length: '65537'. Max allowed length is '65536' bytes."}} {
		b := body(tc.size)
		if len(b) != tc.size || !json.Valid(b) {
			t.Fatalf("test body of %d bytes (want %d), valid JSON %v", len(b), tc.size, json.Valid(b))
		}
		req, _ := http.NewRequest(http.MethodPost, c.srv.URL()+"/", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(out, &e)
		got := fmt.Sprintf("%d %s %s", resp.StatusCode, e.Type, e.Message)
		want := "200  "
		if tc.want != "" {
			want = "400 ClientException " + tc.want
		}
		if got != want {
			t.Errorf("%d bytes: %s, want %s", tc.size, got, want)
		}
	}
}
