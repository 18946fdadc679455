package localaws

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Query protocol (Elastic Beanstalk): a form POST with Action and Version, an
// XML <ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…
// response, and errors as <ErrorResponse><Error>….

const ebXMLNS = "http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"

type queryHandler func(s *Server, form url.Values) (any, error)

var queryOps = map[string]queryHandler{
	"DescribeEnvironments":          (*Server).ebDescribeEnvironments,
	"DescribeConfigurationSettings": (*Server).ebDescribeConfigurationSettings,
	"DescribeEnvironmentResources":  (*Server).ebDescribeEnvironmentResources,
	"DescribeApplicationVersions":   (*Server).ebDescribeApplicationVersions,
	"UpdateEnvironment":             (*Server).ebUpdateEnvironment,
	"CreateApplicationVersion":      (*Server).ebCreateApplicationVersion,
	"CreateEnvironment":             (*Server).ebCreateEnvironment,
	"TerminateEnvironment":          (*Server).ebTerminateEnvironment,
	"CreateStorageLocation":         (*Server).ebCreateStorageLocation,
}

func isForm(contentType string) bool {
	return strings.HasPrefix(contentType, "application/x-www-form-urlencoded")
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeQueryError(w, clientErr("MalformedQueryString", "reading body: %v", err))
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeQueryError(w, clientErr("MalformedQueryString", "%v", err))
		return
	}
	if form.Get("Version") == stsVersion {
		s.serveSTS(w, r, form)
		return
	}
	action := form.Get("Action")
	fe, after := s.callFault("elasticbeanstalk:"+action, r.Header.Get("User-Agent"))
	if fe != nil && !after {
		writeQueryError(w, fe)
		return
	}
	if te := s.throttle("elasticbeanstalk:"+action, ""); te != nil {
		writeQueryError(w, te)
		return
	}
	h, ok := queryOps[action]
	if !ok {
		writeQueryError(w, clientErr("InvalidAction", "localaws does not implement Elastic Beanstalk action %q", action))
		return
	}
	result, err := h(s, form)
	if fe != nil {
		err = fe
	}
	if err != nil {
		writeQueryError(w, asAPIError(err))
		return
	}
	var buf bytes.Buffer
	buf.WriteString(`<` + action + `Response xmlns="` + ebXMLNS + `">`)
	enc := xml.NewEncoder(&buf)
	if err := enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
		writeQueryError(w, asAPIError(err))
		return
	}
	buf.WriteString(`<ResponseMetadata><RequestId>` + requestID() + `</RequestId></ResponseMetadata>`)
	buf.WriteString(`</` + action + `Response>`)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func writeQueryError(w http.ResponseWriter, e *apiError) {
	kind := "Sender"
	if e.Status >= 500 {
		kind = "Receiver"
	}
	var msg bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(e.Message))
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = io.WriteString(w, `<ErrorResponse xmlns="`+ebXMLNS+`"><Error><Type>`+kind+`</Type><Code>`+e.Code+
		`</Code><Message>`+msg.String()+`</Message></Error><RequestId>`+requestID()+`</RequestId></ErrorResponse>`)
}

// memberList reads a query-protocol list: Name.member.1, Name.member.2, …
func memberList(form url.Values, name string) []string {
	type item struct {
		n int
		v string
	}
	var items []item
	prefix := name + ".member."
	for k, vs := range form {
		if rest, ok := strings.CutPrefix(k, prefix); ok && !strings.Contains(rest, ".") {
			if n, err := strconv.Atoi(rest); err == nil && len(vs) > 0 {
				items = append(items, item{n, vs[0]})
			}
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].n < items[j].n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// memberStructs reads a list of structures: Name.member.1.Field=…
func memberStructs(form url.Values, name string) []map[string]string {
	byIndex := map[int]map[string]string{}
	prefix := name + ".member."
	for k, vs := range form {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || len(vs) == 0 {
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if !ok || err != nil {
			continue
		}
		if byIndex[n] == nil {
			byIndex[n] = map[string]string{}
		}
		byIndex[n][field] = vs[0]
	}
	keys := make([]int, 0, len(byIndex))
	for k := range byIndex {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]map[string]string, len(keys))
	for i, k := range keys {
		out[i] = byIndex[k]
	}
	return out
}

// xmlTime formats a timestamp as the query protocol carries it.
func xmlTime(t interface{ Format(string) string }) string {
	return t.Format("2006-01-02T15:04:05.000Z")
}
