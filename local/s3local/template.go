package s3local

import (
	"fmt"

	"github.com/macro-ai/macro-ai/local/template"
)

// FromTemplate is the bucket logicalID of tpl as the fake serves it under
// name: its CorsConfiguration (the origins resolved with the template's
// parameters, AppOrigin as the local stack set it) and, as notifications,
// the S3 events of the template's functions on it (the function's folder
// is the name the local Lambda emulator knows it by).
func FromTemplate(tpl *template.Template, logicalID, name string) (Bucket, error) {
	b, ok := tpl.Buckets[logicalID]
	if !ok {
		return Bucket{}, fmt.Errorf("s3local: no AWS::S3::Bucket %s in the template", logicalID)
	}
	out := Bucket{Name: name}
	for _, r := range b.CORS {
		out.CORS = append(out.CORS, CORSRule{AllowedOrigins: tpl.ResolveAll(r.AllowedOrigins), AllowedMethods: r.AllowedMethods,
			AllowedHeaders: r.AllowedHeaders, ExposedHeaders: r.ExposedHeaders, MaxAge: r.MaxAge})
	}
	for _, fn := range tpl.Functions {
		for _, e := range fn.S3Events {
			if e.Bucket == logicalID {
				out.Notifications = append(out.Notifications, Notification{Prefix: e.Prefix, Suffix: e.Suffix, Function: fn.Dir})
			}
		}
	}
	return out, nil
}
