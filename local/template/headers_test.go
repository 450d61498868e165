package template

import "testing"

func TestParseHeadersPolicy(t *testing.T) {
	tpl, err := Parse([]byte(`
Resources:
  Headers:
    Type: AWS::CloudFront::ResponseHeadersPolicy
    Properties:
      ResponseHeadersPolicyConfig:
        Name: x
        SecurityHeadersConfig:
          ContentSecurityPolicy:
            Override: true
            ContentSecurityPolicy: !Sub >-
              default-src 'self';
              connect-src 'self' https://*.execute-api.${AWS::Region}.amazonaws.com
          StrictTransportSecurity:
            Override: true
            AccessControlMaxAgeSec: 63072000
            IncludeSubdomains: true
          ContentTypeOptions:
            Override: true
          FrameOptions:
            Override: true
            FrameOption: DENY
          ReferrerPolicy:
            Override: true
            ReferrerPolicy: no-referrer
        CustomHeadersConfig:
          Items:
            - Header: Permissions-Policy
              Value: camera=()
              Override: true
`))
	if err != nil {
		t.Fatal(err)
	}
	p := tpl.HeadersPolicies["Headers"]
	if p == nil {
		t.Fatal("no policy parsed")
	}
	if want := "default-src 'self'; connect-src 'self' https://*.execute-api.${AWS::Region}.amazonaws.com"; p.CSP != want {
		t.Errorf("CSP %q, want %q", p.CSP, want)
	}
	for name, want := range map[string]string{
		"Strict-Transport-Security": "max-age=63072000; includeSubDomains", "X-Content-Type-Options": "nosniff",
		"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Permissions-Policy": "camera=()",
	} {
		if got := p.Headers[name]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
