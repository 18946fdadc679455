package localaws

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Pulling an image of a private registry (not Amazon ECR).
//
// Sources: ECS developer guide, "Private registry authentication for tasks":
// with repositoryCredentials the container's credentialsParameter names a
// Secrets Manager secret that the task execution role reads; "Amazon ECS on
// AWS Fargate", Private registry authentication: "Amazon ECS tasks for AWS
// Fargate can authenticate with private image registries ... To use private
// registry authentication, you create a secret with AWS Secrets Manager";
// on EC2 the container agent can hold credentials of its own
// (ECS_ENGINE_AUTH_TYPE, ECS_ENGINE_AUTH_DATA; "This method is only supported
// for tasks hosted on Amazon EC2 instances", the same page), which is how Elastic
// Beanstalk's instances pull with the Dockerrun.aws.json's "authentication",
// "the location in Amazon S3 of a .dockercfg file that contains
// authentication data for a private repository" (EB developer guide,
// "Dockerrun.aws.json v2"). Nothing else pulls a private image: Fargate has
// no instance of the cluster's to borrow credentials from.

// registryAuthProblem is why a task cannot pull a container's private image
// ("" when it can).
func (s *Server) registryAuthProblem(t *task, def containerDef, img Image) string {
	if !img.Private {
		return ""
	}
	if rc := def.RepositoryCredentials; rc != nil && rc.CredentialsParameter != "" {
		// "The Amazon ECS task execution role is required to use this
		// feature" (ECS guide, "Private registry authentication for tasks");
		// the message is localaws's own.
		if role, _ := t.td.body["executionRoleArn"].(string); role == "" {
			return "ResourceInitializationError: unable to pull secrets or registry auth: the task definition has repositoryCredentials but no executionRoleArn to read " + rc.CredentialsParameter + " with."
		}
		if _, ok := s.secrets[rc.CredentialsParameter]; !ok {
			return fmt.Sprintf("ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret %s from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.", rc.CredentialsParameter)
		}
		return ""
	}
	if t.launchType == "EC2" && slices.Contains(t.cluster.registryHosts, registryHost(def.Image)) {
		return ""
	}
	return fmt.Sprintf("CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref %s: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed", def.Image)
}

// addDockercfg stores the .dockercfg of a Dockerrun's authentication in S3,
// in the format the ECS guide shows ("Private registry authentication for
// container instances", dockercfg: {"https://index.docker.io/v1/":{"auth":
// "…","email":"…"}}), with stand-in credentials, and returns the registry
// hosts it is for (none without an authentication).
func (s *Server) addDockercfg(a *S3Location) []string {
	if a == nil {
		return nil
	}
	keys := a.Registries
	if len(keys) == 0 {
		keys = []string{"https://index.docker.io/v1/"}
	}
	cfg := map[string]map[string]string{}
	var hosts []string
	for _, k := range keys {
		cfg[k] = map[string]string{"auth": "bG9jYWxhd3M6bm90LWEtcGFzc3dvcmQ=", "email": "localaws@example.com"}
		hosts = append(hosts, dockercfgHost(k))
	}
	raw, _ := json.Marshal(cfg)
	// The bucket exists: EB read the file from it at deploy.
	s.buckets[a.Bucket] = true
	s.storeObject(a.Bucket+"/"+a.Key, raw)
	return hosts
}

// registryHost is the registry an image reference is pulled from, by
// Docker's rule (distribution/reference, splitDockerDomain): the part before
// the first "/" is a registry host when it has a "." or a ":", is
// "localhost", or has upper-case letters; any other name is on Docker Hub.
func registryHost(image string) string {
	first, _, found := strings.Cut(image, "/")
	if !found || !strings.ContainsAny(first, ".:") && first != "localhost" && strings.ToLower(first) == first {
		return "docker.io"
	}
	return dockerHub(first)
}

// dockercfgHost is the registry host of a .dockercfg key, a URL or a host
// ("https://index.docker.io/v1/", "registry.example.com:5000"), as Docker's
// ConvertToHostname reads it: without the scheme and the path.
func dockercfgHost(key string) string {
	host := strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	host, _, _ = strings.Cut(host, "/")
	return dockerHub(host)
}

// dockerHub gives Docker Hub's one name, docker.io, to its aliases.
func dockerHub(host string) string {
	switch host {
	case "index.docker.io", "registry-1.docker.io":
		return "docker.io"
	}
	return host
}
