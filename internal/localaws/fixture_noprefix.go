package localaws

import "encoding/json"

// NoPrefixSeed is FriendlySeed with app container "web" logging with
// awslogs to FixtureLogGroup without awslogs-stream-prefix, which ECS allows
// on EC2 (botocore ecs LogConfiguration options: "Required: Yes, when using
// Fargate. Optional when using EC2."): its streams are named after the
// container's runtime ID.
func NoPrefixSeed(imageDir string) Seed {
	seed := FriendlySeed(imageDir)
	env := &seed.Environments[0]
	for i, raw := range env.Containers {
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			panic(err)
		}
		if c["name"] != "web" {
			continue
		}
		lc := c["logConfiguration"].(map[string]any)
		delete(lc["options"].(map[string]any), "awslogs-stream-prefix")
		b, err := json.Marshal(c)
		if err != nil {
			panic(err)
		}
		env.Containers[i] = b
	}
	return seed
}
