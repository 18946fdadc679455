package ebmigrate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// PreviewInput is a migration as a plan sees it: MigrateInput, with the
// arguments whose values are known only after apply named in Unknown.
type PreviewInput struct {
	MigrateInput
	Unknown map[string]bool
}

// Preview is what a migration will run on and with, as far as it can be
// known without changing anything. Migrate runs the same pipeline (discover,
// image, derive, network) and then registers and runs; a plan shows it.
type Preview struct {
	// Target is the discovered environment (nil when not discovered).
	Target *Target
	// Derived is the migration task definition to register (nil when it
	// could not be derived). Its image is the one that will run only when
	// Image is set.
	Derived     *Derived
	Network     *ecstypes.AwsVpcConfiguration
	ImageSource string

	// Facts: what will run, "" when only the apply can know it.
	Cluster              string
	SourceTaskDefinition string
	Container            string
	Image                string

	// Unknown says what only the apply can know, and why, in phrases such
	// as "the image (version_label is known after apply)".
	Unknown []string
	// ExecuteCommand, with task.enable_execute_command, is the AWS CLI command
	// that opens a shell in the migration task while it runs.
	ExecuteCommand string
	// Warnings are CheckRun's: what may make the run go otherwise than
	// planned without stopping it (a bundle-mounted code path, at plan a
	// configured log group that does not exist yet).
	Warnings []string
}

func (p *Preview) unknown(format string, args ...any) {
	p.Unknown = append(p.Unknown, fmt.Sprintf(format, args...))
}

// PreviewMigration is Preview for a plan: it describes the environment and
// runs the pipeline with read-only calls only. The error is what stops the
// pipeline with AWS as it is now; the *Preview holds what was known before.
func PreviewMigration(ctx context.Context, c Clients, in PreviewInput) (*Preview, error) {
	if in.Unknown[ArgEnvironmentName] {
		p := &Preview{}
		p.unknown("the environment, its cluster, task definition, container and image (environment_name is known after apply)")
		return p, nil
	}
	env, err := DescribeEnvironment(ctx, c.EB, in.Discover.EnvironmentName)
	if err != nil {
		return &Preview{}, err
	}
	return preview(ctx, c, in, env, true)
}

// preview runs the pipeline for an environment already described (nil:
// none). Checks that need only the derived definition and the target (and
// no mutating call) belong here, so that the plan shows them and the apply
// enforces them alike.
//
// atPlan says who asks: CheckRun's problems that the same apply may still
// mend (a configured log group not created yet) are warnings at plan and
// errors at apply.
func preview(ctx context.Context, c Clients, in PreviewInput, env *ebtypes.EnvironmentDescription, atPlan bool) (*Preview, error) {
	p := &Preview{}
	if err := checkStrategy(in.Derive.Placement.CapacityProvider, ArgCapacityProviders); err != nil {
		return p, err
	}
	if in.Unknown[ArgCluster] || in.Unknown[ArgSourceTaskDefinition] {
		p.unknown("the cluster, task definition, container and image (%s or %s is known after apply)", ArgCluster, ArgSourceTaskDefinition)
		return p, nil
	}
	t, err := discoverFrom(ctx, c, in.Discover, env)
	if err != nil {
		return p, err
	}
	p.Target = t
	p.Cluster = t.ClusterArn

	spec := in.Derive
	if in.ProveOutput {
		// The task runs the command under the output relay; everything
		// else (redaction, messages) knows the command as it was given.
		spec.Command = ProvenCommand(spec.Command)
	}
	if spec.Placement, err = clusterDefault(spec.Placement, t); err != nil {
		return p, err
	}
	versionKnown := !in.Unknown[ArgVersionLabel]
	imageKnown := !in.Unknown[ArgImage]
	switch {
	case !imageKnown:
		// The image argument decides, and it is not known yet.
	case spec.Image != "":
		p.ImageSource = "the image argument"
	case !versionKnown:
		// Which version's image runs is not known: derive from today's
		// definition to check it, but claim no image.
	default:
		spec, p.ImageSource, err = ResolveImage(ctx, c, t, spec, in.VersionLabel)
		if err != nil {
			return p, err
		}
	}
	if in.Unknown[ArgContainerName] {
		p.unknown("the container and image (%s is known after apply)", ArgContainerName)
		return p, nil
	}
	d, err := DeriveTaskDefinition(t, spec)
	if err != nil {
		return p, err
	}
	if err := checkTags(spec.Tags); err != nil {
		return p, err
	}
	if err := checkSize(t, d); err != nil {
		return p, err
	}
	p.Derived = d
	p.Container = d.Container
	if spec.Placement.ExecuteCommand {
		p.ExecuteCommand = executeCommandAtPlan(c.Region, t, d)
	}
	if p.Network, err = ResolveNetwork(t, d, spec.Placement); err != nil {
		return p, err
	}
	if p.Warnings, err = CheckRun(ctx, c, t, d, spec, in.VersionLabel, atPlan); err != nil {
		return p, err
	}
	if err := checkRunTaskOptions(d, spec.Placement, in.Unknown[ArgTaskRoleArn]); err != nil {
		return p, err
	}
	checked := ""
	if versionKnown {
		checked = orDefault(in.VersionLabel, t.VersionLabel)
	}
	w, err := checkRegistryAuth(ctx, c, t, d, spec.Placement, checked, imageKnown)
	if err != nil {
		return p, err
	}
	if w != "" {
		p.Warnings = append(p.Warnings, w)
	}
	// The definition derived from is today's, which is what runs only when
	// the version to migrate is the deployed one (or the user pinned a
	// revision): otherwise the same apply may deploy it first, and EB
	// registers a new revision.
	deployed := versionKnown && in.VersionLabel == t.VersionLabel
	// An action without version_label migrates the version deployed when it
	// runs, which the same apply may deploy first.
	unset := versionKnown && in.VersionLabel == ""
	if deployed || PinnedRevision(in.Discover.SourceTaskDefinition) {
		p.SourceTaskDefinition = aws.ToString(t.SourceTaskDefinition.TaskDefinitionArn)
	} else if unset {
		p.unknown("the task definition it derives from (version_label is unset: the version deployed when the migration runs)")
	} else if versionKnown {
		p.unknown("the task definition it derives from (version %s is not deployed yet; if this apply deploys it first, Elastic Beanstalk registers a new revision)", in.VersionLabel)
	} else {
		p.unknown("the task definition it derives from (version_label is known after apply)")
	}
	switch {
	case !imageKnown:
		p.unknown("the image (image is known after apply)")
	case spec.Image != "" || deployed:
		p.Image = d.Image
	case unset:
		p.unknown("the image (version_label is unset: the version deployed when the migration runs)")
	default:
		p.unknown("the image (version_label is known after apply)")
	}
	return p, nil
}

// PinnedRevision tells a family:revision or ARN (one revision for good) from
// a bare family (its latest revision, which the apply may change).
func PinnedRevision(ref string) bool {
	for i := len(ref) - 1; i >= 0; i-- {
		if ref[i] == ':' {
			return i < len(ref)-1
		}
		if ref[i] < '0' || ref[i] > '9' {
			return false
		}
	}
	return false
}
