package localaws

import (
	"fmt"
	"net/url"
	"strings"
)

// Elastic Beanstalk configuration settings (DescribeConfigurationSettings).

type xmlOptionSetting struct {
	ResourceName string `xml:",omitempty"`
	Namespace    string
	OptionName   string
	Value        string
}

type xmlConfigurationSettings struct {
	ApplicationName   string
	EnvironmentName   string
	DeploymentStatus  string
	SolutionStackName string `xml:",omitempty"`
	PlatformArn       string
	DateCreated       string
	DateUpdated       string
	OptionSettings    []xmlOptionSetting `xml:"OptionSettings>member"`
}

type describeConfigurationSettingsResult struct {
	ConfigurationSettings []xmlConfigurationSettings `xml:"ConfigurationSettings>member"`
}

func (s *Server) ebDescribeConfigurationSettings(form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	app, name := form.Get("ApplicationName"), form.Get("EnvironmentName")
	if app == "" {
		return nil, clientErr("MissingParameter", "The request must contain the parameter ApplicationName.")
	}
	if name == "" {
		return nil, clientErr("InvalidParameterCombination", "You must specify either EnvironmentName or TemplateName.")
	}
	e := s.findEnv(name, "", false)
	if e == nil || e.app != app {
		return nil, clientErr("InvalidParameterValue", "No Environment found for EnvironmentName = '%s'.", name)
	}
	deployed := xmlConfigurationSettings{
		ApplicationName: e.app, EnvironmentName: e.name, DeploymentStatus: "deployed",
		SolutionStackName: e.solutionStack, PlatformArn: e.platformArn,
		DateCreated: xmlTime(e.created.UTC()), DateUpdated: xmlTime(e.updated.UTC()),
		OptionSettings: optionSettings(e, e.properties, e.secretRefs),
	}
	return describeConfigurationSettingsResult{ConfigurationSettings: withDraft(e, deployed)}, nil
}

// optionSettings are an environment's settings with the given properties
// and secret references.
func optionSettings(e *environment, properties, secretRefs map[string]string) []xmlOptionSetting {
	var opts []xmlOptionSetting
	add := func(resource, ns, opt, val string) {
		opts = append(opts, xmlOptionSetting{ResourceName: resource, Namespace: ns, OptionName: opt, Value: val})
	}
	add("AWSEBAutoScalingGroup", "aws:autoscaling:asg", "MinSize", fmt.Sprint(e.instances))
	add("AWSEBAutoScalingGroup", "aws:autoscaling:asg", "MaxSize", fmt.Sprint(e.instances))
	add("AWSEBAutoScalingLaunchConfiguration", "aws:autoscaling:launchconfiguration", "InstanceType", "t3.small")
	add("AWSEBAutoScalingLaunchConfiguration", "aws:autoscaling:launchconfiguration", "SecurityGroups", strings.Join(e.vpc.SecurityGroups, ","))
	add("AWSEBAutoScalingGroup", "aws:ec2:vpc", "VPCId", e.vpc.ID)
	add("AWSEBAutoScalingGroup", "aws:ec2:vpc", "Subnets", strings.Join(e.vpc.Subnets, ","))
	add("AWSEBAutoScalingGroup", "aws:ec2:vpc", "AssociatePublicIpAddress", fmt.Sprint(e.vpc.AssociatePublicIPAddress))
	for _, k := range sortedKeys(properties) {
		add("", "aws:elasticbeanstalk:application:environment", k, properties[k])
	}
	for _, k := range sortedKeys(secretRefs) {
		add("", "aws:elasticbeanstalk:application:environmentsecrets", k, secretRefs[k])
	}
	add("", "aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced")
	return opts
}
