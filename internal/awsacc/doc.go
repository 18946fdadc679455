// Package awsacc holds the acceptance tests against a real AWS account
// (`make testacc-aws`): an existing Elastic Beanstalk environment on the ECS
// platform, named by EBMIGRATE_ACC_ENVIRONMENT, runs harmless commands. Apart
// from internal/resources, whose tests isolate themselves from every AWS
// configuration on the machine.
package awsacc
