package ebmigrate

import (
	"fmt"
	"strconv"
	"strings"
)

// Output that proves itself complete. CloudWatch Logs promises no time by
// which an event is readable, and no order among PutLogEvents calls ("You
// can use parallel PutLogEvents actions on the same log stream", botocore
// logs PutLogEvents), so no reader can tell from the stream alone that it
// holds the last line a container printed. A command the provider composes
// (the pending-migrations query) can tell it: it runs under a relay, a
// short Python program that runs the command with its output on a pipe and
// prints each line the command printed with a number, then, when the
// command has exited, a last line with how many came before it:
//
//	ebmigrate:1:Planned operations:
//	ebmigrate:2:shop.0002_price
//	ebmigrate:3+<the first 4000 bytes of a longer line …>
//	ebmigrate:4:<… the rest of it>
//	ebmigrate:end:4
//
// One process writes them, in that order, into one pipe, and Docker's
// awslogs driver (or Fargate's shim logger) sends each as one event of the
// container's stream: a line is at most 4000 bytes of the command's output
// (12 KB once invalid UTF-8 is replaced), under the 16 KiB at which the
// shim logger splits a line and the 256 KiB at which Docker's driver does;
// with awslogs-multiline-pattern the driver joins whole lines into one
// event, which the reader splits again. Once the reader holds the end line
// and every numbered line below its count, it holds everything the command
// printed, whatever order CloudWatch made the driver's batches readable in;
// a reader that holds the end line and misses a number reads the stream
// again (from a little before the last line it holds below the gap), until
// it holds them all or gives up. Lines without the prefix (an entrypoint's
// own, Docker's) are shown but are not the command's output.
//
// The cost: the query's image needs python3 on its PATH (every Django
// image has it), an entrypoint must pass the command on (exec "$@"), and
// the stream shows the prefixes.

// relayPrefix starts every line the relay prints.
const relayPrefix = "ebmigrate:"

// relayMaxBytes is how much of the command's output one relayed line holds.
const relayMaxBytes = 4000

// outputRelay is the relay's Python source (Python 3.5 and later: bytes
// %-formatting). It forwards SIGTERM, SIGINT and SIGHUP to the command (a
// StopTask reaches the command, and its end is still proven), exits with
// the command's exit code (128 + the signal when a signal ended it), and,
// when the command cannot be started, relays why and exits 127.
var outputRelay = strings.Join([]string{
	`import codecs,signal,subprocess,sys`,
	`o=sys.stdout.buffer`,
	`n=0`,
	`def emit(k,t):`,
	`	global n`,
	`	n+=1`,
	`	o.write(b"ebmigrate:%d" % n+k+t.encode("utf-8")+b"\n")`,
	`	o.flush()`,
	`def end(rc):`,
	`	o.write(b"ebmigrate:end:%d\n" % n)`,
	`	o.flush()`,
	`	sys.exit(rc)`,
	`try:`,
	`	p=subprocess.Popen(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.STDOUT)`,
	`except OSError as e:`,
	`	emit(b":","ebmigrate: cannot run %r: %s" % (sys.argv[1:],e))`,
	`	end(127)`,
	`def fwd(s,f):`,
	`	try:`,
	`		p.send_signal(s)`,
	`	except OSError:`,
	`		pass`,
	`for s in (signal.SIGTERM,signal.SIGINT,signal.SIGHUP):`,
	`	signal.signal(s,fwd)`,
	`d=codecs.getincrementaldecoder("utf-8")("replace")`,
	`open_=False`,
	`while True:`,
	`	b=p.stdout.readline(` + strconv.Itoa(relayMaxBytes) + `)`,
	`	if not b:`,
	`		break`,
	`	whole=b.endswith(b"\n")`,
	`	t=d.decode(b[:-1] if whole else b,whole)`,
	`	if whole:`,
	`		d.reset()`,
	`		if t.endswith("\r"):`,
	`			t=t[:-1]`,
	`	emit(b":" if whole else b"+",t)`,
	`	open_=not whole`,
	`if open_:`,
	`	emit(b":",d.decode(b"",True))`,
	`rc=p.wait()`,
	`end(rc if rc>=0 else 128-rc)`,
}, "\n")

// ProvenCommand is argv run under the output relay: what a task runs when
// its output must be proven complete (MigrateInput.ProveOutput applies it
// to Derive.Command). The relay needs python3 on the image's PATH.
func ProvenCommand(argv []string) []string {
	return append([]string{"python3", "-c", outputRelay}, argv...)
}

// outputProof collects the relayed lines of a proven command, by number,
// and tells when it holds them all.
type outputProof struct {
	// pieces are the relayed lines by number; cont marks a piece the next
	// number continues; ts is the event timestamp each came in.
	pieces map[int]string
	cont   map[int]bool
	ts     map[int]int64
	// count is the end line's count; -1 until the end line was read.
	count int
	// limit bounds the pieces kept; over it, the output cannot be proven
	// (Result.RawOutput holds at most MaxCollectedLines).
	limit int
	over  bool
}

func newOutputProof(limit int) *outputProof {
	return &outputProof{pieces: map[int]string{}, cont: map[int]bool{}, ts: map[int]int64{}, count: -1, limit: limit}
}

// relayed reads one line of an event as the relay printed it. ok is false
// for a line the relay did not print (shown as it is, not output); fresh
// is false for a line already held (read again), and for the end line;
// text is the command's text.
func (p *outputProof) relayed(line string, ts int64) (text string, ok, fresh bool) {
	rest, found := strings.CutPrefix(line, relayPrefix)
	if !found {
		return "", false, false
	}
	if c, isEnd := strings.CutPrefix(rest, "end:"); isEnd {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return "", false, false
		}
		p.count = n
		return "", true, false
	}
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits == len(rest) || (rest[digits] != ':' && rest[digits] != '+') {
		return "", false, false
	}
	n, err := strconv.Atoi(rest[:digits])
	if err != nil || n < 1 {
		return "", false, false
	}
	text = rest[digits+1:]
	if _, held := p.pieces[n]; held {
		return text, true, false
	}
	if len(p.pieces) >= p.limit {
		p.over = true
		return text, true, true
	}
	p.pieces[n], p.cont[n], p.ts[n] = text, rest[digits] == '+', ts
	return text, true, true
}

// complete tells whether every line the command printed is held.
func (p *outputProof) complete() bool {
	if p.count < 0 || p.over {
		return false
	}
	for n := 1; n <= p.count; n++ {
		if _, ok := p.pieces[n]; !ok {
			return false
		}
	}
	return true
}

// ended tells whether the end line was read.
func (p *outputProof) ended() bool { return p.count >= 0 }

// firstMissing is the lowest number not held, below the count when the end
// line was read; 0 when none is missing.
func (p *outputProof) firstMissing() int {
	for n := 1; p.count < 0 || n <= p.count; n++ {
		if _, ok := p.pieces[n]; !ok {
			return n
		}
	}
	return 0
}

// rereadFrom is the startTime of a read that finds the first missing line:
// its predecessor's timestamp, less a second for Docker's clock; ok is
// false when the stream must be read from its start.
func (p *outputProof) rereadFrom() (int64, bool) {
	n := p.firstMissing()
	if n <= 1 {
		return 0, false
	}
	return p.ts[n-1] - 1000, true
}

// lines are the command's output, its pieces joined, in the order printed.
func (p *outputProof) lines() []string {
	var out []string
	var b strings.Builder
	last := p.count
	if last < 0 {
		last = len(p.pieces)
	}
	for n := 1; n <= last; n++ {
		piece, ok := p.pieces[n]
		if !ok {
			break
		}
		b.WriteString(piece)
		if !p.cont[n] {
			out = append(out, b.String())
			b.Reset()
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// problem says why the output is not proven complete.
func (p *outputProof) problem() string {
	switch {
	case p.over:
		return fmt.Sprintf("it has more than %d lines", p.limit)
	case !p.ended():
		return fmt.Sprintf("its last line (the relay's end line) did not show; %d numbered lines did", len(p.pieces))
	}
	return fmt.Sprintf("line %d of %d did not show", p.firstMissing(), p.count)
}
