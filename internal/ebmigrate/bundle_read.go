package ebmigrate

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// Source bundles reach hundreds of MB, and only Dockerrun.aws.json is needed.
// A zip's central directory is at its end, so the bundle is read with ranged
// GETs: its tail (end of central directory and the directory itself), then
// the one entry. Nothing else of the object is transferred.
const (
	// bundleBlock is the unit of a ranged read; the first read is the last
	// bundleBlock bytes, which hold the directory of most bundles.
	bundleBlock = 64 << 10
	// maxBundleRead bounds what one bundle may cost, whatever its shape.
	maxBundleRead = 16 << 20
	// maxDockerrun bounds Dockerrun.aws.json itself.
	maxDockerrun = 10 << 20
)

// BundleCache keeps the Dockerrun.aws.json of source bundles already read by
// a provider process, so that a plan or an apply reads each bundle at most
// once. A version's bundle does not change under its label.
type BundleCache struct {
	mu      sync.Mutex
	entries map[string][]byte
}

// NewBundleCache is an empty cache.
func NewBundleCache() *BundleCache { return &BundleCache{entries: map[string][]byte{}} }

const maxCachedBundles = 256

func (c *BundleCache) get(key string) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.entries[key]
	return b, ok
}

func (c *BundleCache) put(key string, b []byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedBundles {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = b
}

// readDockerrun returns the Dockerrun.aws.json of the bundle at bucket/key:
// the entry of that name at the top of a zip, or the object itself when it
// is that file.
func readDockerrun(ctx context.Context, c Clients, bucket, key string) ([]byte, error) {
	cacheKey := bucket + "/" + key
	if b, ok := c.Bundles.get(cacheKey); ok {
		return b, nil
	}
	obj := &rangedObject{ctx: ctx, api: c.S3, bucket: bucket, key: key}
	b, err := obj.dockerrun()
	if err != nil {
		return nil, err
	}
	c.Bundles.put(cacheKey, b)
	return b, nil
}

// rangedObject is an S3 object read as an io.ReaderAt through ranged GETs of
// whole blocks, each fetched once.
type rangedObject struct {
	ctx         context.Context
	api         S3
	bucket, key string
	size        int64
	// etag is the version the first read saw; every later ranged read asks
	// for it (If-Match), so that the blocks all come from one version of an
	// object that may be overwritten while it is read.
	etag   string
	blocks map[int64]block // by block index
	read   int64           // bytes transferred
}

// block is what is held of one block: data from offset from within it (0
// for a whole block; the first read, from the object's end, may start
// mid-block) to the block's end or the object's.
type block struct {
	from int64
	data []byte
}

// covers tells whether the block holds [lo, hi) (offsets within the block).
func (b block) covers(lo, hi int64) bool {
	return b.data != nil && lo >= b.from && hi <= b.from+int64(len(b.data))
}

func (o *rangedObject) dockerrun() ([]byte, error) {
	if err := o.open(); err != nil {
		return nil, err
	}
	zr, zerr := zip.NewReader(o, o.size)
	if zerr != nil {
		// Not a zip: EB also takes a bare Dockerrun.aws.json as the bundle.
		if o.size > maxDockerrun {
			return nil, fmt.Errorf("is not a readable zip (%v)", zerr)
		}
		raw := make([]byte, o.size)
		if _, err := o.ReadAt(raw, 0); err != nil && err != io.EOF {
			return nil, fmt.Errorf("could not be read: %v", err)
		}
		if bytes.HasPrefix(raw, []byte("PK\x03\x04")) {
			return nil, fmt.Errorf("is not a readable zip (%v)", zerr)
		}
		if json.Valid(raw) {
			return raw, nil
		}
		return nil, fmt.Errorf("is neither a zip nor a Dockerrun.aws.json")
	}
	for _, zf := range zr.File {
		if zf.Name != "Dockerrun.aws.json" {
			continue
		}
		if zf.UncompressedSize64 > maxDockerrun {
			return nil, fmt.Errorf("has a Dockerrun.aws.json of %d bytes, more than the %d this provider reads", zf.UncompressedSize64, maxDockerrun)
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("has an unreadable Dockerrun.aws.json: %v", err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxDockerrun))
		if err != nil {
			return nil, fmt.Errorf("has an unreadable Dockerrun.aws.json: %v", err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("holds no Dockerrun.aws.json at its top level")
}

// open reads the object's last block, which tells its size (Content-Range).
func (o *rangedObject) open() error {
	o.blocks = map[int64]block{}
	body, start, total, err := o.get(fmt.Sprintf("bytes=-%d", bundleBlock))
	if err != nil {
		return err
	}
	o.size = total
	for len(body) > 0 {
		idx := start / bundleBlock
		n := min((idx+1)*bundleBlock, total) - start
		o.blocks[idx] = block{from: start % bundleBlock, data: body[:n]}
		body, start = body[n:], start+n
	}
	return nil
}

// get makes one ranged GET; it returns the bytes, their offset and the
// object's size.
func (o *rangedObject) get(rng string) ([]byte, int64, int64, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(o.key), Range: aws.String(rng)}
	if o.etag != "" {
		in.IfMatch = aws.String(o.etag)
	}
	out, err := o.api.GetObject(o.ctx, in)
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "PreconditionFailed" {
		return nil, 0, 0, fmt.Errorf("was replaced while it was read (its ETag is no longer %s): apply again", o.etag)
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("could not be read: %w", err)
	}
	if o.etag == "" {
		o.etag = aws.ToString(out.ETag)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(io.LimitReader(out.Body, maxBundleRead+1))
	if err != nil {
		return nil, 0, 0, fmt.Errorf("could not be read: %w", err)
	}
	o.read += int64(len(body))
	if o.read > maxBundleRead {
		return nil, 0, 0, fmt.Errorf("needed more than %d bytes read to find Dockerrun.aws.json", maxBundleRead)
	}
	start, total, ok := parseContentRange(aws.ToString(out.ContentRange))
	if !ok {
		// A server that ignores Range sends the whole object.
		return body, 0, int64(len(body)), nil
	}
	return body, start, total, nil
}

// parseContentRange reads "bytes <start>-<end>/<total>".
func parseContentRange(v string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(v, "bytes ")
	if !found {
		return 0, 0, false
	}
	span, size, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	first, _, found := strings.Cut(span, "-")
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseInt(first, 10, 64)
	t, err2 := strconv.ParseInt(size, 10, 64)
	if err1 != nil || err2 != nil || s < 0 || s > t {
		return 0, 0, false
	}
	return s, t, true
}

// ReadAt serves p from the blocks held, fetching the missing ones in one
// ranged GET per contiguous run.
func (o *rangedObject) ReadAt(p []byte, off int64) (int, error) {
	if off >= o.size {
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), o.size)
	first, last := off/bundleBlock, (end-1)/bundleBlock
	// needed is the part of block idx that [off, end) covers.
	held := func(idx int64) bool {
		lo, hi := max(off, idx*bundleBlock), min(end, (idx+1)*bundleBlock)
		return o.blocks[idx].covers(lo-idx*bundleBlock, hi-idx*bundleBlock)
	}
	for idx := first; idx <= last; idx++ {
		if held(idx) {
			continue
		}
		run := idx
		for run+1 <= last && !held(run+1) {
			run++
		}
		from, to := idx*bundleBlock, min((run+1)*bundleBlock, o.size)
		body, start, _, err := o.get(fmt.Sprintf("bytes=%d-%d", from, to-1))
		if err != nil {
			return 0, err
		}
		if start != from || int64(len(body)) < to-from {
			return 0, fmt.Errorf("could not be read: S3 answered %d bytes from %d for a request of bytes %d-%d", len(body), start, from, to-1)
		}
		for b := idx; b <= run; b++ {
			lo := (b - idx) * bundleBlock
			o.blocks[b] = block{data: body[lo:min(lo+bundleBlock, int64(len(body)))]}
		}
		idx = run
	}
	n := int64(0)
	for off+n < end {
		pos := off + n
		b := o.blocks[pos/bundleBlock]
		n += int64(copy(p[n:end-off], b.data[pos%bundleBlock-b.from:]))
	}
	if end < off+int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}
