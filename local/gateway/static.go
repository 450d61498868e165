package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// AppConfig is what the built web app learns at run time: where the HTTP
// API and the chat stream are. It is the window.__MACRO_AI__ object that
// web/src/config.ts reads, ahead of the build's VITE_API_URL and
// VITE_STREAM_URL.
type AppConfig struct {
	APIURL    string `json:"apiUrl"`
	StreamURL string `json:"streamUrl"`
	// Headers go on every answer, as CloudFront's response headers policy
	// adds them (see SecurityHeaders): the app runs locally under the CSP it
	// runs under when deployed.
	Headers http.Header `json:"-"`
}

// ConfigScript is the path of the script that sets window.__MACRO_AI__: a
// file of the app's origin, not an inline script, which the CSP's
// script-src 'self' refuses.
const ConfigScript = "/macro-ai-config.js"

// StaticApp serves the built web app (dir, e.g. web/dist) on an origin of
// its own, as a static host (S3 + CloudFront, Amplify) does once deployed:
// the API and the stream are other origins, so every call of the app is a
// cross-origin one that the template's CORS must allow.
//
//   - GET and HEAD serve the file at that path in dir, or dir/index.html for
//     a browser's navigation to a client-side route (Accept: text/html); a
//     path that is no file answers anything else (a script's fetch, curl, a
//     path under /assets/ or with a file extension) with 404, never with
//     the app's HTML and 200; other methods are 405;
//   - index.html loads cfg (ConfigScript) before its other scripts;
//   - every answer carries cfg.Headers.
//
// index.html is served with Cache-Control: no-cache, /assets/* (Vite's
// content-hashed files) as immutable. A dir without index.html (the app
// not built) answers with a 404 that says how to build it.
func StaticApp(dir string, cfg AppConfig) http.Handler {
	files := http.FileServer(http.Dir(dir))
	index := filepath.Join(dir, "index.html")
	cfgJSON, _ := json.Marshal(cfg)
	cfgScript := []byte("window.__MACRO_AI__=" + string(cfgJSON) + ";\n")
	script := []byte(`<script src="` + ConfigScript + `"></script>`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for name, vs := range cfg.Headers {
			w.Header()[name] = append([]string(nil), vs...)
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		clean := path.Clean("/" + r.URL.Path)
		if clean == ConfigScript {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeContent(w, r, "config.js", time.Time{}, bytes.NewReader(cfgScript))
			return
		}
		if clean != "/" && clean != "/index.html" {
			if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(clean))); err == nil && !fi.IsDir() {
				if strings.HasPrefix(clean, "/assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
			if strings.HasPrefix(clean, "/assets/") || path.Ext(clean) != "" {
				http.NotFound(w, r)
				return
			}
			if !acceptsHTML(r) {
				writeMessage(w, http.StatusNotFound, "Not Found") // what API Gateway answers
				return
			}
		}
		page, err := os.ReadFile(index)
		if err != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("The web app is not built: run `make web` (npm run build in web/).\n"))
			return
		}
		if i := bytes.Index(page, []byte("<script")); i >= 0 {
			page = append(page[:i:i], append(script, page[i:]...)...)
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
	})
}

// acceptsHTML reports whether r is a browser's navigation: its Accept
// header names text/html.
func acceptsHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		media, _, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(media), "text/html") {
			return true
		}
	}
	return false
}
