package localaws

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
)

// STS GetCallerIdentity, so that a provider can check which account its
// credentials belong to (allowed_account_ids, forbidden_account_ids). STS
// speaks the query protocol like Elastic Beanstalk, with Version 2011-06-15
// and its own namespace (botocore sts/2011-06-15/service-2.json:
// GetCallerIdentityResponse -> GetCallerIdentityResult {UserId, Account, Arn}).

const (
	stsVersion = "2011-06-15"
	stsXMLNS   = "https://sts.amazonaws.com/doc/2011-06-15/"
)

type getCallerIdentityResult struct {
	UserId  string //nolint:revive // STS's element name
	Account string
	Arn     string
}

// CallerUser is the IAM user localaws says every caller is.
const CallerUser = "localaws"

func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request, form url.Values) {
	action := form.Get("Action")
	if fe, _ := s.callFault("sts:"+action, r.Header.Get("User-Agent")); fe != nil {
		writeSTSError(w, fe)
		return
	}
	if action != "GetCallerIdentity" {
		writeSTSError(w, clientErr("InvalidAction", "localaws does not implement STS action %q", action))
		return
	}
	var buf bytes.Buffer
	buf.WriteString(`<GetCallerIdentityResponse xmlns="` + stsXMLNS + `">`)
	_ = xml.NewEncoder(&buf).EncodeElement(getCallerIdentityResult{
		UserId: "AIDALOCALAWS0000000001", Account: s.account, Arn: "arn:aws:iam::" + s.account + ":user/" + CallerUser,
	}, xml.StartElement{Name: xml.Name{Local: "GetCallerIdentityResult"}})
	buf.WriteString(`<ResponseMetadata><RequestId>` + requestID() + `</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func writeSTSError(w http.ResponseWriter, e *apiError) {
	var msg bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(e.Message))
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(`<ErrorResponse xmlns="` + stsXMLNS + `"><Error><Type>Sender</Type><Code>` + e.Code + `</Code><Message>` +
		msg.String() + `</Message></Error><RequestId>` + requestID() + `</RequestId></ErrorResponse>`))
}
