package localaws

import "net/url"

// CreateStorageLocation: "Creates a bucket in Amazon S3 to store application
// versions, logs, and other files used by Elastic Beanstalk environments.
// ... If the storage location already exists, CreateStorageLocation still
// returns the bucket name but does not create a new bucket." (Elastic
// Beanstalk API Reference, CreateStorageLocation; the sample response names
// elasticbeanstalk-us-east-1-780612358023.)

type createStorageLocationResult struct {
	S3Bucket string `xml:"S3Bucket"`
}

func (s *Server) ebCreateStorageLocation(url.Values) (any, error) {
	bucket := s.bundleBucket()
	s.mu.Lock()
	s.buckets[bucket] = true
	s.mu.Unlock()
	return createStorageLocationResult{S3Bucket: bucket}, nil
}
