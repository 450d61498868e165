package gateway

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// StreamPrefix is where WithStatic serves the chat stream on the app's own
// origin: POST /stream/conversations/{id}/messages reaches the stream
// handler as POST /conversations/{id}/messages.
const StreamPrefix = "/stream"

// apiPrefixes are the first path segments of the HTTP API's routes
// (API.md); requests under them always go to the API handler.
var apiPrefixes = []string{"auth", "me", "conversations", "embeddings", "search", "health"}

// IsAPIPath reports whether p is, or is under, one of the API's route
// prefixes: /auth/*, /me, /conversations*, /embeddings, /search, /health.
func IsAPIPath(p string) bool {
	seg := strings.TrimPrefix(p, "/")
	if i := strings.IndexByte(seg, '/'); i >= 0 {
		seg = seg[:i]
	}
	for _, a := range apiPrefixes {
		if seg == a {
			return true
		}
	}
	return false
}

// WithStatic puts the built web app (dir, e.g. web/dist) and the chat
// stream on the same origin as api, so the browser needs no CORS in dev:
//
//   - any request under /stream/ goes to stream with /stream stripped
//     (stream may be nil: then those requests are 404);
//   - GET and HEAD outside the API's prefixes serve the file at that path in
//     dir, or dir/index.html for client-side routes (paths under /assets/
//     and paths with a file extension that do not exist are 404, not HTML);
//   - everything else — every API route, every other method — goes to api.
//
// index.html is served with Cache-Control: no-cache, /assets/* (Vite's
// content-hashed files) as immutable. A dir without index.html (the app
// not built) answers its GETs with a 404 that says how to build it.
func WithStatic(api http.Handler, dir string, stream http.Handler) http.Handler {
	files := http.FileServer(http.Dir(dir))
	index := filepath.Join(dir, "index.html")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == StreamPrefix || strings.HasPrefix(p, StreamPrefix+"/") {
			if stream == nil {
				http.NotFound(w, r)
				return
			}
			http.StripPrefix(StreamPrefix, stream).ServeHTTP(w, r)
			return
		}
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || IsAPIPath(p) {
			api.ServeHTTP(w, r)
			return
		}
		clean := path.Clean("/" + p)
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
		}
		if _, err := os.Stat(index); err != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("The web app is not built: run `make web` (npm run build in web/).\n"))
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFile(w, r, index)
	})
}
