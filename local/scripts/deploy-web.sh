#!/usr/bin/env bash
# Deploys the web app of a stage's stack, after `sam deploy` (make deploy runs
# it; make deploy-web alone): builds web/dist with the stack's URLs, narrows
# its CSP's connect-src to them, uploads it to the stack's app bucket with the
# right Cache-Control, and invalidates index.html in CloudFront.
#
#   local/scripts/deploy-web.sh [--dry-run] [--outputs FILE] STAGE
#
# STAGE's stack name and region come from samconfig.toml ([STAGE.deploy.parameters]),
# as sam deploy --config-env STAGE reads them. The outputs are the stack's
# (aws cloudformation describe-stacks), or FILE: the same "Key<TAB>Value"
# lines. --dry-run prints every command and changes nothing (no build, no
# upload); without --outputs it prints the describe-stacks call and goes on
# with <ApiUrl>-style placeholders. Nothing here prompts. DEPLOY_WEB_DIST
# (tests only) names another build folder than web/dist.
set -euo pipefail

dry=0
outputs_file=""
while [ $# -gt 0 ]; do
	case "$1" in
	--dry-run) dry=1; shift ;;
	--outputs) outputs_file=$2; shift 2 ;;
	-*) echo "deploy-web: unknown flag $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: deploy-web.sh [--dry-run] [--outputs FILE] STAGE" >&2
	exit 2
fi
stage=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dist=${DEPLOY_WEB_DIST:-web/dist}

# The value of key in samconfig.toml's [STAGE.deploy.parameters], else [default.deploy.parameters].
samconfig() {
	local key=$1 section v
	for section in "$stage.deploy.parameters" "default.deploy.parameters"; do
		v=$(awk -v want="[$section]" -v key="$key" '
			/^\[/ { in_section = ($0 == want); next }
			in_section && $1 == key { sub(/^[^=]*=[ \t]*/, ""); gsub(/^"|"$/, ""); print; exit }
		' samconfig.toml)
		if [ -n "$v" ]; then
			echo "$v"
			return
		fi
	done
}
stack=$(samconfig stack_name)
region=$(samconfig region)
if [ -z "$stack" ] || [ -z "$region" ]; then
	echo "deploy-web: samconfig.toml has no stack_name or region for $stage" >&2
	exit 1
fi

# run prints a command (--dry-run) or runs it.
run() {
	if [ "$dry" = 1 ]; then
		printf '%q ' "$@" | sed 's/ $//'
		echo
	else
		"$@"
	fi
}

# The stack's outputs as Key<TAB>Value lines.
describe=(aws cloudformation describe-stacks --region "$region" --stack-name "$stack"
	--query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output text)
if [ -n "$outputs_file" ]; then
	outputs=$(cat "$outputs_file")
elif [ "$dry" = 1 ]; then
	run "${describe[@]}"
	outputs=""
else
	outputs=$("${describe[@]}")
fi
output() {
	local v
	v=$(printf '%s\n' "$outputs" | awk -F'\t' -v key="$1" '$1 == key { print $2; exit }')
	if [ -z "$v" ] && [ "$dry" = 1 ] && [ -z "$outputs_file" ]; then
		v="<$1>"
	fi
	if [ -z "$v" ]; then
		echo "deploy-web: the stack $stack has no output $1 (deployed with an older template?)" >&2
		exit 1
	fi
	echo "$v"
}
api_url=$(output ApiUrl)
stream_url=$(output StreamUrl)
data_url=$(output DataBucketUrl)
bucket=$(output AppBucketName)
distribution=$(output AppDistributionId)
app_url=$(output AppUrl)

# The build: make web rebuilds when VITE_API_URL/VITE_STREAM_URL differ from
# the last build's.
run env VITE_API_URL="$api_url" VITE_STREAM_URL="$stream_url" make --no-print-directory web

# The CloudFront CSP names the API and the stream by their region's hosts (a
# !Ref would be a dependency cycle, see template.yaml): a <meta> CSP narrows
# connect-src to exactly this stack's. The browser enforces both policies.
origin() { printf '%s\n' "$1" | sed -E 's|^(https?://[^/]+).*|\1|'; }
meta="<meta http-equiv=\"Content-Security-Policy\" content=\"connect-src 'self' $(origin "$api_url") $(origin "$stream_url") $(origin "$data_url")\">"
if [ "$dry" = 1 ]; then
	echo "# into $dist/index.html after <meta charset>: $meta"
else
	grep -q 'http-equiv="Content-Security-Policy"' "$dist/index.html" ||
		META="$meta" perl -0pi -e 's/(<meta charset="[^"]*"\s*\/?>)/$1$ENV{META}/i or die "no <meta charset> in index.html\n"' "$dist/index.html"
fi

# Content-hashed assets first, cached for a year: a new index.html never
# names an asset not yet uploaded. Old assets stay (a page loaded before the
# deploy may still fetch its lazy chunks); the rest is revalidated every time.
run aws s3 sync "$dist/assets" "s3://$bucket/assets" --region "$region" \
	--cache-control "public, max-age=31536000, immutable"
run aws s3 sync "$dist" "s3://$bucket" --region "$region" --delete \
	--exclude "assets/*" --exclude "docs/*" --exclude ".build-env" \
	--cache-control "no-cache"
run aws cloudfront create-invalidation --distribution-id "$distribution" --paths /index.html /

echo "web app: $app_url"
