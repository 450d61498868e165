package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"time"
)

// Paths Docs serves.
const (
	DocsPath        = "/docs"
	OpenAPIYAMLPath = "/openapi.yaml"
)

// docsCSP lets the docs page run its own inline script and styles and load
// nothing from anywhere else: the page is one self-contained file (the
// renderer's hard-wired logo from its CDN is blocked, and hidden).
const docsCSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
	"img-src data:; font-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"

// Docs serves the API's reference, both files read at each request:
//
//   - GET /openapi.yaml: the file at openapiPath as it is (application/yaml);
//   - GET /docs: docsPage, the single HTML file `make web` renders from
//     openapi.yaml (Redoc, by @redocly/cli build-docs, into
//     web/dist/docs/index.html), or a 404 that says to run make web when it
//     is not there.
//
// Other paths are 404, other methods 405.
func Docs(openapiPath, docsPage string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var file, contentType string
		page := false
		switch r.URL.Path {
		case OpenAPIYAMLPath:
			file, contentType = openapiPath, "application/yaml"
		case DocsPath, DocsPath + "/":
			file, contentType, page = docsPage, "text/html; charset=utf-8", true
		default:
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		data, err := os.ReadFile(file)
		switch {
		case err != nil && page && os.IsNotExist(err):
			http.Error(w, "The API docs page is not built: run `make web` (npm run build in web/). "+
				"The description itself is at "+OpenAPIYAMLPath+".", http.StatusNotFound)
			return
		case err != nil:
			http.Error(w, fmt.Sprintf("docs: %v", err), http.StatusInternalServerError)
			return
		}
		var modTime time.Time
		if fi, err := os.Stat(file); err == nil {
			modTime = fi.ModTime()
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if page {
			w.Header().Set("Content-Security-Policy", docsCSP)
		}
		http.ServeContent(w, r, "", modTime, bytes.NewReader(data))
	})
}

// WithDocs serves Docs(openapiPath, docsPage) on /docs and /openapi.yaml,
// and every other request with next.
func WithDocs(next http.Handler, openapiPath, docsPage string) http.Handler {
	docs := Docs(openapiPath, docsPage)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case DocsPath, DocsPath + "/", OpenAPIYAMLPath:
			docs.ServeHTTP(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}
