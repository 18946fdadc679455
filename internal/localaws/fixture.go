package localaws

import (
	"encoding/json"
)

// Names in the fixture world, for tests.
const (
	FixtureEnv         = "myapp-prod"
	FixtureEnvID       = "e-abc123xyz"
	FixtureApp         = "myapp"
	FixtureNonECSEnv   = "myapp-php"
	FixturePropSecret  = "hunter2-prop-secret"
	FixtureSecretArn   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:myapp/api-key-AbCdEf"
	FixtureSecretValue = "s3cr3t-from-secrets-manager"
	// FixtureLogGroup is the awslogs group of FriendlySeed's app container.
	FixtureLogGroup = "/ecs/myapp-prod"
	// FixtureProxy is the proxy container of FixtureSeed.
	FixtureProxy = "nginx-proxy"
)

// FixtureSeed is the world most tests start from: an ECS environment
// "myapp-prod" (2 instances, versions v1 to v3) as AWS's own Dockerrun.aws.json
// v2 example shapes it (Elastic Beanstalk Developer Guide,
// create_deploy_docker_v2config.html): an app container "web" and an
// "nginx-proxy" container, both essential, the proxy linking to the app and
// holding host port 80, both writing logs to EB's awseb-logs-<container>
// volumes and mounting a folder of the source bundle; no awslogs
// configuration, no task or execution role, no EB secret. Beside it, a PHP
// environment and a terminated one. Every image runs in imageDir.
func FixtureSeed(imageDir string) Seed {
	raw := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	img := Image{Dir: imageDir, Env: map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": imageDir}}
	versions := map[string]map[string]string{}
	images := map[string]Image{"example/nginx:1.27": img}
	for _, v := range []string{"v1", "v2", "v3"} {
		versions[v] = map[string]string{"web": "example/app:" + v, FixtureProxy: "example/nginx:1.27"}
		images["example/app:"+v] = img
	}
	web := map[string]any{
		"name": "web", "image": "example/app:v1", "essential": true, "memory": 512,
		"command":     []string{"gunicorn", "myapp.wsgi", "--bind", "0.0.0.0:8000"},
		"environment": []any{map[string]any{"name": "PORT", "value": "8000"}},
		"mountPoints": []any{
			map[string]any{"sourceVolume": "static", "containerPath": "/app/static"},
			map[string]any{"sourceVolume": "awseb-logs-web", "containerPath": "/var/log/app"},
		},
		"ulimits": []any{map[string]any{"name": "nofile", "softLimit": 4096, "hardLimit": 8192}},
	}
	proxy := map[string]any{
		"name": FixtureProxy, "image": "example/nginx:1.27", "essential": true, "memory": 128,
		"portMappings": []any{map[string]any{"containerPort": 80, "hostPort": 80}},
		"links":        []string{"web"},
		"mountPoints": []any{
			map[string]any{"sourceVolume": "static", "containerPath": "/usr/share/nginx/html/static", "readOnly": true},
			map[string]any{"sourceVolume": "awseb-logs-" + FixtureProxy, "containerPath": "/var/log/nginx"},
		},
	}
	return Seed{
		Region:    "us-east-1",
		AccountID: "123456789012",
		Images:    images,
		Environments: []EnvironmentSeed{
			{
				Name: FixtureEnv, ID: FixtureEnvID, Application: FixtureApp,
				Status: "Ready", VersionLabel: "v1", Instances: 2,
				Properties: map[string]string{
					"DJANGO_SETTINGS_MODULE": "myapp.settings",
					"DATABASE_PASSWORD":      FixturePropSecret,
					"DEBUG":                  "false",
				},
				VPC: VPCSeed{ID: "vpc-0a1b2c3d", Subnets: []string{"subnet-0aaa1111", "subnet-0bbb2222"},
					SecurityGroups: []string{"sg-0ccc3333"}},
				Containers: []json.RawMessage{raw(web), raw(proxy)},
				TaskDefinition: map[string]json.RawMessage{
					"volumes": raw([]any{map[string]any{"name": "static", "host": map[string]string{"sourcePath": "/var/app/current/static"}}}),
				},
				Versions: versions,
			},
			{
				Name: FixtureNonECSEnv, ID: "e-php0000001", Application: FixtureApp, Status: "Ready", VersionLabel: "php-1",
				PlatformArn: "arn:aws:elasticbeanstalk:us-east-1::platform/PHP 8.3 running on 64bit Amazon Linux 2023/4.3.0",
			},
			{
				Name: "myapp-old", ID: "e-old0000001", Application: FixtureApp, Status: "Terminated", VersionLabel: "v1",
			},
		},
	}
}

// FriendlySeed is the fixture world with a friendlier environment than EB's
// stock one, for the tests that need those settings: app container "web"
// logging with awslogs to FixtureLogGroup, a non-essential "nginx" sidecar
// that holds host port 80 and mounts the app's volumes, a task role and an
// execution role, and an EB secret (API_KEY). Every image runs in imageDir.
func FriendlySeed(imageDir string) Seed {
	raw := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	img := Image{Dir: imageDir, Env: map[string]string{"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": imageDir}}
	versions := map[string]map[string]string{}
	images := map[string]Image{"example/nginx:1.27": img}
	for _, v := range []string{"v1", "v2", "v3"} {
		versions[v] = map[string]string{"web": "example/app:" + v, "nginx": "example/nginx:1.27"}
		images["example/app:"+v] = img
	}
	web := map[string]any{
		"name": "web", "image": "example/app:v1", "essential": true, "memory": 512,
		"command":      []string{"gunicorn", "myapp.wsgi", "--bind", "0.0.0.0:8000"},
		"portMappings": []any{map[string]any{"containerPort": 8000, "hostPort": 0, "protocol": "tcp"}},
		"environment":  []any{map[string]any{"name": "PORT", "value": "8000"}},
		"mountPoints":  []any{map[string]any{"sourceVolume": "static", "containerPath": "/app/static"}},
		"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]string{
			"awslogs-group": FixtureLogGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "eb",
		}},
		"ulimits": []any{map[string]any{"name": "nofile", "softLimit": 4096, "hardLimit": 8192}},
	}
	nginx := map[string]any{
		"name": "nginx", "image": "example/nginx:1.27", "essential": false, "memory": 128,
		"portMappings": []any{map[string]any{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}},
		"links":        []string{"web"},
		"volumesFrom":  []any{map[string]any{"sourceContainer": "web"}},
	}
	return Seed{
		Region:    "us-east-1",
		AccountID: "123456789012",
		Images:    images,
		Secrets:   map[string]string{FixtureSecretArn: FixtureSecretValue},
		LogGroups: []string{FixtureLogGroup},
		Environments: []EnvironmentSeed{
			{
				Name: FixtureEnv, ID: FixtureEnvID, Application: FixtureApp,
				Status: "Ready", VersionLabel: "v1", Instances: 2,
				Properties: map[string]string{
					"DJANGO_SETTINGS_MODULE": "myapp.settings",
					"DATABASE_PASSWORD":      FixturePropSecret,
					"DEBUG":                  "false",
				},
				Secrets: map[string]string{"API_KEY": FixtureSecretArn},
				VPC: VPCSeed{ID: "vpc-0a1b2c3d", Subnets: []string{"subnet-0aaa1111", "subnet-0bbb2222"},
					SecurityGroups: []string{"sg-0ccc3333"}},
				Containers: []json.RawMessage{raw(web), raw(nginx)},
				TaskDefinition: map[string]json.RawMessage{
					"executionRoleArn": raw("arn:aws:iam::123456789012:role/aws-elasticbeanstalk-ecs-execution"),
					"taskRoleArn":      raw("arn:aws:iam::123456789012:role/myapp-task"),
					"volumes":          raw([]any{map[string]any{"name": "static", "host": map[string]string{"sourcePath": "/var/app/current/static"}}}),
				},
				Versions: versions,
			},
			{
				Name: FixtureNonECSEnv, ID: "e-php0000001", Application: FixtureApp, Status: "Ready", VersionLabel: "php-1",
				PlatformArn: "arn:aws:elasticbeanstalk:us-east-1::platform/PHP 8.3 running on 64bit Amazon Linux 2023/4.3.0",
			},
			{
				Name: "myapp-old", ID: "e-old0000001", Application: FixtureApp, Status: "Terminated", VersionLabel: "v1",
			},
		},
	}
}

// FixtureCluster is the ECS cluster name of the fixture environment.
func FixtureCluster() string { return EBClusterName(FixtureEnv, FixtureEnvID) }

// FixtureFamily is the family of the fixture environment's app task definition.
func FixtureFamily() string { return EBTaskFamily(FixtureEnv, FixtureEnvID) }
