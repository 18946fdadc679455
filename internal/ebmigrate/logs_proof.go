package ebmigrate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Output that proves itself complete. CloudWatch Logs promises no time by
// which an event is readable, and no order among PutLogEvents calls ("You
// can use parallel PutLogEvents actions on the same log stream", botocore
// logs PutLogEvents), so no reader can tell from the stream alone that it
// holds the last line a container printed. A command the provider composes
// (the pending-migrations query) can tell it: it runs under a relay, a
// short Python program that runs the command with its stdout and stderr on
// pipes of their own and prints each line the command printed with a
// number, then, when the command has exited, a last line with how many
// came before it:
//
//	ebmigrate:1:Planned operations:
//	ebmigrate:2:shop.0002_price
//	ebmigrate:3+<the first 4000 bytes of a longer line …>
//	ebmigrate:4:<… the rest of it>
//	ebmigrate:end:4
//
// One process writes them, in that order, into one pipe, and Docker's
// awslogs driver (or Fargate's shim logger, which runs the same driver)
// sends each as one event of the container's stream: a line is at most
// 4000 bytes of the command's output (12 KB once invalid UTF-8 is
// replaced), far under the 262,118 bytes at which both split a line (moby
// daemon/logger/awslogs cloudwatchlogs.go maximumBytesPerEvent; the shim
// reads lines into a buffer of that size, aws/shim-loggers-for-containerd
// logger/awslogs/logger.go WithBufferSizeInBytes(maximumBytesPerEvent)).
// The relay reads the command's stdout and stderr apart and prints whole
// lines of each, as Docker does: on one pipe, a block-buffered stdout
// flushed mid-line would have a stderr line land inside a stdout line; a
// line's pieces are printed together, so that their numbers follow each
// other. Once the reader holds the end line and every numbered line below
// its count, it holds everything the command printed, whatever order
// CloudWatch made the driver's batches readable in; a reader that holds the
// end line and misses a number reads the stream again (from a little before
// the last line it holds below the gap), until it holds them all or gives
// up. Lines without the prefix (an entrypoint's own, Docker's) are shown but
// are not the command's output. The task that runs it logs without
// awslogs-multiline-pattern and awslogs-datetime-format (provenLogOptions).
//
// The cost: the query's image needs python3 on its PATH (every Django
// image has it), an entrypoint must pass the command on (exec "$@"; an
// entryPoint ending in a shell's -c is refused at plan: see
// checkProvenEntryPoint), and the stream shows the prefixes.

// relayPrefix starts every line the relay prints.
const relayPrefix = "ebmigrate:"

// relayMaxBytes is how much of the command's output one relayed line holds.
const relayMaxBytes = 4000

// outputRelay is the relay's Python source (Python 3.5 and later: bytes
// %-formatting). It forwards SIGTERM, SIGINT and SIGHUP to the command (a
// StopTask reaches the command, and its end is still proven), exits with
// the command's exit code (128 + the signal when a signal ended it), and,
// when the command cannot be started, relays why and exits 127. A line is
// held until it is whole (the command's output is the provider's own
// command's: short lines); a carriage return ending it (a terminal's
// "\r\n", a Windows-made file) is dropped.
var outputRelay = strings.Join([]string{
	`import codecs,os,selectors,signal,subprocess,sys`,
	`o=sys.stdout.buffer`,
	`n=0`,
	`def emit(k,t):`,
	`	global n`,
	`	n+=1`,
	`	o.write(b"ebmigrate:%d" % n+k+t.encode("utf-8")+b"\n")`,
	`def end(rc):`,
	`	o.write(b"ebmigrate:end:%d\n" % n)`,
	`	o.flush()`,
	`	sys.exit(rc)`,
	`def whole(b):`,
	`	if b.endswith(b"\r"):`,
	`		b=b[:-1]`,
	`	d=codecs.getincrementaldecoder("utf-8")("replace")`,
	`	while True:`,
	`		c,b=b[:` + strconv.Itoa(relayMaxBytes) + `],b[` + strconv.Itoa(relayMaxBytes) + `:]`,
	`		emit(b"+" if b else b":",d.decode(c,not b))`,
	`		if not b:`,
	`			break`,
	`	o.flush()`,
	`try:`,
	`	p=subprocess.Popen(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.PIPE)`,
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
	`sel=selectors.DefaultSelector()`,
	`held={}`,
	`for f in (p.stdout,p.stderr):`,
	`	sel.register(f,selectors.EVENT_READ)`,
	`	held[f]=b""`,
	`while sel.get_map():`,
	`	for k,_ in sel.select():`,
	`		f=k.fileobj`,
	`		c=os.read(f.fileno(),65536)`,
	`		if not c:`,
	`			sel.unregister(f)`,
	`			if held[f]:`,
	`				whole(held[f])`,
	`			continue`,
	`		ls=(held[f]+c).split(b"\n")`,
	`		held[f]=ls.pop()`,
	`		for l in ls:`,
	`			whole(l)`,
	`rc=p.wait()`,
	`end(rc if rc>=0 else 128-rc)`,
}, "\n")

// ProvenCommand is argv run under the output relay: what a task runs when
// its output must be proven complete (MigrateInput.ProveOutput applies it
// to Derive.Command). The relay needs python3 on the image's PATH; -I
// (isolated: no current directory, PYTHONPATH or user site on its path)
// keeps a subprocess.py in the working directory or a sitecustomize on
// PYTHONPATH from replacing the modules it imports.
func ProvenCommand(argv []string) []string {
	return append([]string{"python3", "-I", "-c", outputRelay}, argv...)
}

// isProvenCommand tells a command that runs under the output relay.
func isProvenCommand(cmd []string) bool {
	relay := ProvenCommand(nil)
	return len(cmd) > len(relay) && slices.Equal(cmd[:len(relay)], relay)
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

// relayedLine is one line of an event as the relay printed it: a numbered
// piece of the command's output, or the end line.
type relayedLine struct {
	// n is the piece's number; 0 for the end line.
	n int
	// count is the end line's count.
	count int
	// cont: the next number continues the piece (a line cut in pieces).
	cont bool
	text string
}

// parseRelayed reads one line of an event; ok is false for a line the
// relay did not print. A trailing "\r" is dropped: with pseudoTerminal a
// terminal turns each "\n" into "\r\n", and Docker cuts lines at "\n"
// only (moby daemon/logger/copier.go copySrc).
func parseRelayed(line string) (r relayedLine, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSuffix(line, "\r"), relayPrefix)
	if !found {
		return r, false
	}
	if c, isEnd := strings.CutPrefix(rest, "end:"); isEnd {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return r, false
		}
		return relayedLine{count: n}, true
	}
	digits := 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits == len(rest) || (rest[digits] != ':' && rest[digits] != '+') {
		return r, false
	}
	n, err := strconv.Atoi(rest[:digits])
	if err != nil || n < 1 {
		return r, false
	}
	return relayedLine{n: n, cont: rest[digits] == '+', text: rest[digits+1:]}, true
}

// relayed takes one line of an event as the relay printed it. ok is false
// for a line the relay did not print (shown as it is, not output); fresh
// is false for a line already held (read again), and for the end line;
// text is the command's text.
func (p *outputProof) relayed(line string, ts int64) (text string, ok, fresh bool) {
	r, ok := parseRelayed(line)
	switch {
	case !ok:
		return "", false, false
	case r.n == 0:
		p.count = r.count
		return "", true, false
	}
	if _, held := p.pieces[r.n]; held {
		return r.text, true, false
	}
	if len(p.pieces) >= p.limit {
		p.over = true
		return r.text, true, true
	}
	p.pieces[r.n], p.cont[r.n], p.ts[r.n] = r.text, r.cont, ts
	return r.text, true, true
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
