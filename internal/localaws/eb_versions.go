package localaws

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"time"
)

// Elastic Beanstalk CreateApplicationVersion: what an infrastructure
// repository's apply does (aws_elastic_beanstalk_application_version) before
// it deploys the version, so that tests can create a version during an apply.

type createApplicationVersionResult struct {
	ApplicationVersion xmlApplicationVersion
}

// ebCreateApplicationVersion registers a version of an application from a
// source bundle already in S3. As botocore's elasticbeanstalk service-2.json
// documents CreateApplicationVersionMessage: the label must be unique per
// application ("If an application version already exists with this label for
// the specified application, AWS Elastic Beanstalk returns an
// InvalidParameterValue error"), an unknown application is InvalidParameterValue
// (AutoCreateApplication is not modelled), VersionLabel is 1 to 100
// characters. Without Process, the version's Status is Unprocessed
// (ApplicationVersionStatus). A bundle that cannot be read is refused, as
// EB does ("Unable to download from S3 location").
func (s *Server) ebCreateApplicationVersion(form url.Values) (any, error) {
	app, label := form.Get("ApplicationName"), form.Get("VersionLabel")
	bucket, key := form.Get("SourceBundle.S3Bucket"), form.Get("SourceBundle.S3Key")
	if len(label) < 1 || len(label) > 100 {
		return nil, clientErr("ValidationError", "1 validation error detected: Value '%s' at 'versionLabel' failed to satisfy constraint: Member must have length between 1 and 100", label)
	}
	if bucket == "" || key == "" {
		return nil, clientErr("InvalidParameterValue", "localaws creates application versions from a SourceBundle in S3 only (S3Bucket and S3Key)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var envs []*environment
	for _, e := range s.envs {
		if e.app == app {
			envs = append(envs, e)
		}
	}
	if len(envs) == 0 {
		return nil, clientErr("InvalidParameterValue", "No Application named '%s' found.", app)
	}
	for _, e := range envs {
		if _, ok := e.versions[label]; ok {
			return nil, clientErr("InvalidParameterValue", "Application Version %s already exists.", label)
		}
	}
	bundle, ok := s.objects[bucket+"/"+key]
	if !ok {
		return nil, clientErr("InvalidParameterCombination", "Unable to download from S3 location (Bucket: %s  Key: %s). Reason: Not Found", bucket, key)
	}
	images := dockerrunImages(bundle)
	for _, e := range envs {
		if e.versions == nil {
			e.versions = map[string]map[string]string{}
		}
		e.versions[label] = images
	}
	if s.versionBundles == nil {
		s.versionBundles = map[string]xmlSourceBundle{}
	}
	loc := xmlSourceBundle{S3Bucket: bucket, S3Key: key}
	s.versionBundles[app+"/"+label] = loc
	now := xmlTime(time.Now().UTC())
	return createApplicationVersionResult{ApplicationVersion: xmlApplicationVersion{
		ApplicationVersionArn: s.arn("elasticbeanstalk", "applicationversion/"+app+"/"+label),
		ApplicationName:       app, VersionLabel: label, Description: form.Get("Description"),
		SourceBundle: loc, DateCreated: now, DateUpdated: now, Status: "Unprocessed",
	}}, nil
}

// sourceBundleOf is where a version's bundle is: where CreateApplicationVersion
// was told, else the seeded bundle's place in bucket (EB's, or the seed's
// bundle_bucket).
func (s *Server) sourceBundleOf(app, label, bucket string) xmlSourceBundle {
	if loc, ok := s.versionBundles[app+"/"+label]; ok {
		return loc
	}
	return xmlSourceBundle{S3Bucket: bucket, S3Key: app + "/" + label + ".zip"}
}

// dockerrunImages is container name -> image of a bundle's Dockerrun.aws.json
// (a zip with it at the top, or the file itself); empty when it has none,
// which EB only finds out when it deploys the version.
func dockerrunImages(bundle []byte) map[string]string {
	raw := dockerrunJSON(bundle)
	var doc struct {
		Containers []struct {
			Name  string `json:"name"`
			Image string `json:"image"`
		} `json:"containerDefinitions"`
	}
	images := map[string]string{}
	if json.Unmarshal(raw, &doc) == nil {
		for _, c := range doc.Containers {
			images[c.Name] = c.Image
		}
	}
	return images
}

// dockerrunJSON is a bundle's Dockerrun.aws.json: the file at the top of a
// zip, or the bundle itself.
func dockerrunJSON(bundle []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(bundle), int64(len(bundle)))
	if err != nil {
		return bundle
	}
	for _, f := range zr.File {
		if f.Name == "Dockerrun.aws.json" {
			if rc, err := f.Open(); err == nil {
				defer rc.Close()
				raw, _ := io.ReadAll(io.LimitReader(rc, 10<<20))
				return raw
			}
		}
	}
	return nil
}
