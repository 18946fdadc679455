package ebmigrate

import (
	"fmt"
	"unicode/utf8"
)

// MaxLineBytes bounds each line a run shows or keeps (a failure's
// LogLines, a success's LogTail and so the output attribute): a CloudWatch
// event may hold 256 KiB.
const MaxLineBytes = 2048

// BoundLine cuts a line to MaxLineBytes, at a character boundary, saying how
// much was cut. Redact first: a cut must not split a value so that it is no
// longer recognised.
func BoundLine(l string) string {
	if len(l) <= MaxLineBytes {
		return l
	}
	cut := MaxLineBytes
	for cut > 0 && !utf8.RuneStart(l[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", l[:cut], len(l)-cut)
}
