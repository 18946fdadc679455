package main

import "testing"

func TestSilenceUnshownLogs(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"nothing set: every logger off", map[string]string{},
			map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_EBMIGRATE": "off"}},
		{"TF_LOG shows provider logs: untouched", map[string]string{"TF_LOG": "INFO"},
			map[string]string{"TF_LOG_SDK": "", "TF_LOG_PROVIDER_EBMIGRATE": ""}},
		{"TF_LOG_PROVIDER shows them: untouched", map[string]string{"TF_LOG_PROVIDER": "TRACE"},
			map[string]string{"TF_LOG_SDK_FRAMEWORK": ""}},
		{"an explicit level is kept", map[string]string{"TF_LOG_SDK_PROTO": "DEBUG"},
			map[string]string{"TF_LOG_SDK_PROTO": "DEBUG", "TF_LOG_SDK": "off"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range c.env {
				env[k] = v
			}
			silenceUnshownLogs(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			for k, want := range c.want {
				if env[k] != want {
					t.Errorf("%s = %q, want %q", k, env[k], want)
				}
			}
		})
	}
}
